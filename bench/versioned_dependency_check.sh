#!/usr/bin/env bash
# Checks that Montague can be used as a versioned dependency: a throw-away package that depends on a tagged clone
# with `.package(url: …, from: "0.1.0")` and imports every library product must build.
#
# SwiftPM refuses a package dependency whose targets use unsafe build flags (`-Ounchecked`, `unsafeFlags`) unless
# it is a root or local (path) package, so this is what an outside user runs into first.
#
#   bench/versioned_dependency_check.sh [REPOSITORY]      (default: the repository this script is in)
#
# The check clones REPOSITORY's committed HEAD (uncommitted changes are not seen) into a temporary directory,
# removes the clone's tags and tags its HEAD 0.1.0 there (nothing is pushed anywhere), writes the throw-away
# package next to it and runs `swift build` (debug). Dependencies of Montague that are already in SwiftPM's
# repository cache (~/.cache/org.swift.swiftpm/repositories) are mirrored from there, so it runs offline once
# `swift build` has run in the repository. Exit 0 when the build succeeds; the temporary directory is removed.
set -euo pipefail

repository="$(cd "${1:-$(dirname "$0")/..}" && git rev-parse --show-toplevel)"
version="0.1.0"
# Every library product of the manifest, so a new module is checked as soon as it is declared.
mapfile -t products < <(sed -n 's/^ *\.library(name: "\([A-Za-z0-9_]*\)".*/\1/p' "$repository/Package.swift")
work="$(mktemp -d "${TMPDIR:-/tmp}/montague-versioned-XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "versioned-dependency: cloning $(git -C "$repository" rev-parse --short HEAD) of $repository"
git clone --quiet --no-hardlinks "$repository" "$work/Montague"
git -C "$work/Montague" tag -l | xargs -r git -C "$work/Montague" tag -d >/dev/null
git -C "$work/Montague" -c user.name=check -c user.email=check@localhost tag -a "$version" -m "$version"

mkdir -p "$work/Consumer/Sources/Consumer"
cat > "$work/Consumer/Package.swift" <<EOF
// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Consumer",
    dependencies: [
        .package(url: "$work/Montague", from: "$version"),
    ],
    targets: [
        .executableTarget(
            name: "Consumer",
            dependencies: [$(printf '.product(name: "%s", package: "Montague"), ' "${products[@]}")]
        ),
    ]
)
EOF
cat > "$work/Consumer/Sources/Consumer/main.swift" <<'EOF'
EOF
printf 'import %s\n' "${products[@]}" >> "$work/Consumer/Sources/Consumer/main.swift"
cat >> "$work/Consumer/Sources/Consumer/main.swift" <<'EOF'

let x = Tensor([[1, 2], [3, 4]]).requiringGradient()
let dx = gradient(of: (x * x).sum(), wrt: x)
print("Autodiff: d(sum x²)/dx =", dx.scalars)
print("NeuralNet:", Linear.self, "Corpus:", CorpusStatistics.self, "Grammar:", Enumerator.self)
print("Sampling:", KMeans.self, "Plotting:", LineChart.self)
EOF

# Offline: mirror Montague's remote dependencies to SwiftPM's local repository cache when it has them.
cache="${HOME}/.cache/org.swift.swiftpm/repositories"
if [ -f "$repository/Package.resolved" ] && [ -d "$cache" ]; then
    sed -n 's/.*"location" : "\(https:[^"]*\)".*/\1/p' "$repository/Package.resolved" | while read -r url; do
        name="$(basename "$url" .git)"
        cached="$(ls -d "$cache/$name"-* 2>/dev/null | head -n 1 || true)"
        if [ -n "$cached" ]; then
            (cd "$work/Consumer" && swift package config set-mirror --original "$url" --mirror "$cached")
        fi
    done
fi

echo "versioned-dependency: building a package that depends on Montague from: \"$version\" (${products[*]})"
if ! (cd "$work/Consumer" && swift build >"$work/build.log" 2>&1); then
    tail -n 30 "$work/build.log" >&2
    echo "versioned-dependency: FAILED: the package cannot be used by version" >&2
    exit 1
fi
(cd "$work/Consumer" && ./.build/debug/Consumer)
echo "versioned-dependency: ok"
