/// Reverse-mode gradients of `output` with respect to each tensor in `targets`.
///
/// Walks the tape from `output` back to the targets in reverse topological order, calling each node's backward rule
/// and summing the contributions of a tensor used several times (shared parameters). Only nodes on a path to a target
/// are visited. With `createGraph: true` the backward rules are themselves recorded, so the returned gradients can be
/// differentiated again (gradients of gradients: WGAN-GP's penalty, second-order MAML); otherwise they run on raw
/// kernels and the results carry no tape.
///
/// - Parameters:
///   - output: the value to differentiate; must have one scalar unless `seed` is given.
///   - targets: tensors made with ``Tensor/requiringGradient()`` (or computed from such tensors).
///   - seed: the gradient of some outer objective with respect to `output` (a vector-Jacobian product); defaults to 1.
///   - createGraph: record the backward pass for higher-order derivatives.
/// - Returns: one gradient per target, of the target's shape; zeros where `output` does not depend on the target.
public func gradients(of output: Tensor, wrt targets: [Tensor], seed: Tensor? = nil, createGraph: Bool = false)
    -> [Tensor]
{
    for (index, target) in targets.enumerated() {
        precondition(
            target.node != nil,
            "gradients(of:wrt:): target \(index) of shape \(target.shape) does not require gradients; "
                + "make it with requiringGradient()")
    }
    let seedGradient: Tensor
    if let seed {
        precondition(
            seed.shape == output.shape,
            "gradients(of:wrt:): seed shape \(seed.shape) differs from output shape \(output.shape)")
        seedGradient = createGraph ? seed : seed.detached()
    } else {
        precondition(
            output.count == 1,
            "gradients(of:wrt:): output of shape \(output.shape) is not a scalar; pass a seed")
        seedGradient = Tensor(shape: output.shape, scalars: [1])
    }
    guard let root = output.node else {
        return targets.map { Tensor.zeros($0.shape) }
    }

    // Collect the graph reachable from the output.
    var nodes: [TapeNode] = []
    var seen: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
    var stack: [TapeNode] = [root]
    while let node = stack.popLast() {
        nodes.append(node)
        for input in node.inputs {
            if let inputNode = input.node, seen.insert(ObjectIdentifier(inputNode)).inserted {
                stack.append(inputNode)
            }
        }
    }
    nodes.sort { $0.id < $1.id }

    // Keep only nodes from which a target is reachable.
    let targetIDs = Set(targets.compactMap { $0.node.map(ObjectIdentifier.init) })
    var relevant: Set<ObjectIdentifier> = []
    for node in nodes {
        let key = ObjectIdentifier(node)
        if targetIDs.contains(key)
            || node.inputs.contains(where: { input in
                input.node.map { relevant.contains(ObjectIdentifier($0)) } ?? false
            })
        {
            relevant.insert(key)
        }
    }

    if createGraph {
        return BackwardPass.$relevantNodes.withValue(relevant) {
            withGradients {
                recordedBackwardPass(
                    nodes: nodes, relevant: relevant, targets: targets, targetIDs: targetIDs,
                    root: root, seed: seedGradient)
            }
        }
    }
    if BackwardPass.relevantNodes != nil {
        // A first-order pass inside a create-graph one: the outer pass's set does not apply.
        return BackwardPass.$relevantNodes.withValue(nil) {
            withoutGradients {
                rawBackwardPass(
                    nodes: nodes, relevant: relevant, targets: targets, targetIDs: targetIDs, root: root,
                    seed: seedGradient)
            }
        }
    }
    return withoutGradients {
        rawBackwardPass(
            nodes: nodes, relevant: relevant, targets: targets, targetIDs: targetIDs, root: root,
            seed: seedGradient)
    }
}

/// Create-graph mode: gradients are tensors on the tape, summed with the differentiable `+`.
private func recordedBackwardPass(
    nodes: [TapeNode], relevant: Set<ObjectIdentifier>, targets: [Tensor], targetIDs: Set<ObjectIdentifier>,
    root: TapeNode, seed: Tensor
) -> [Tensor] {
    var accumulated: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
    for node in nodes.reversed() {
        let key = ObjectIdentifier(node)
        guard relevant.contains(key), let backward = node.backward, let gradient = accumulated[key] else { continue }
        if !targetIDs.contains(key) { accumulated[key] = nil }  // free as we go
        for (inputKey, inputGradient) in applyRule(backward, of: node, to: gradient, relevant: relevant) {
            if let existing = accumulated[inputKey] {
                accumulated[inputKey] = existing + inputGradient
            } else {
                accumulated[inputKey] = inputGradient
            }
        }
    }
    return targets.map { target in
        guard let node = target.node, let gradient = accumulated[ObjectIdentifier(node)] else {
            return Tensor.zeros(target.shape)
        }
        return gradient
    }
}

/// First-order mode: gradients live in plain buffers, summed in place; a slice adds its gradient straight into
/// its box of the input's buffer (no zero padding to full size, so splitting a sequence into steps stays linear).
private func rawBackwardPass(
    nodes: [TapeNode], relevant: Set<ObjectIdentifier>, targets: [Tensor], targetIDs: Set<ObjectIdentifier>,
    root: TapeNode, seed: Tensor
) -> [Tensor] {
    var buffers: [ObjectIdentifier: [Float]] = [ObjectIdentifier(root): seed.scalars]
    for node in nodes.reversed() {
        let key = ObjectIdentifier(node)
        guard relevant.contains(key), let backward = node.backward, let buffer = buffers[key] else { continue }
        if !targetIDs.contains(key) { buffers[key] = nil }  // free as we go
        let gradient = Tensor(shape: node.outputShape, scalars: buffer)
        if let lowerBounds = node.sliceLowerBounds, let inputNode = node.inputs[0].node {
            let inputKey = ObjectIdentifier(inputNode)
            guard relevant.contains(inputKey) else { continue }
            let inputShape = node.inputs[0].shape
            var target =
                buffers.removeValue(forKey: inputKey)
                ?? [Float](repeating: 0, count: inputShape.reduce(1, *))
            buffer.withUnsafeBufferPointer { source in
                target.withUnsafeMutableBufferPointer { destination in
                    Kernels.copyBox(
                        from: source, shape: node.outputShape,
                        start: [Int](repeating: 0, count: node.outputShape.count),
                        to: destination, shape: inputShape, start: lowerBounds,
                        extents: node.outputShape, accumulate: true)
                }
            }
            buffers[inputKey] = target
            continue
        }
        let contributions: [(key: ObjectIdentifier, gradient: Tensor)]
        if node.addsGradientsInPlace {
            // Hand the inputs' gradients accumulated so far to the rule (a matrix product adds its own into them),
            // and take them back before adding the gradients it returns.
            var accumulated: [ObjectIdentifier: [Float]] = [:]
            for input in node.inputs {
                guard let inputNode = input.node else { continue }
                let inputKey = ObjectIdentifier(inputNode)
                if let existing = buffers.removeValue(forKey: inputKey) { accumulated[inputKey] = existing }
            }
            if accumulated.isEmpty {
                contributions = applyRule(backward, of: node, to: gradient, relevant: relevant)
            } else {
                let accumulator = GradientAccumulator(buffers: accumulated)
                accumulated = [:]
                contributions = BackwardPass.$accumulator.withValue(accumulator) {
                    applyRule(backward, of: node, to: gradient, relevant: relevant)
                }
                for (inputKey, buffer) in accumulator.buffers { buffers[inputKey] = buffer }
                accumulator.buffers = [:]
            }
        } else {
            contributions = applyRule(backward, of: node, to: gradient, relevant: relevant)
        }
        for (inputKey, inputGradient) in contributions {
            if var existing = buffers.removeValue(forKey: inputKey) {
                existing.withUnsafeMutableBufferPointer { destination in
                    inputGradient.scalars.withUnsafeBufferPointer { source in
                        for i in 0..<destination.count { destination[i] += source[i] }
                    }
                }
                buffers[inputKey] = existing
            } else {
                buffers[inputKey] = inputGradient.scalars
            }
        }
    }
    return targets.map { target in
        guard let node = target.node, let buffer = buffers[ObjectIdentifier(node)] else {
            return Tensor.zeros(target.shape)
        }
        return Tensor(shape: target.shape, scalars: buffer)
    }
}

/// Runs `node`'s backward rule on `gradient` and returns the gradients of its inputs that lead to a target,
/// keyed by input node; checks the rule's contract (one gradient per input, of the input's shape).
private func applyRule(
    _ backward: BackwardRule, of node: TapeNode, to gradient: Tensor, relevant: Set<ObjectIdentifier>
) -> [(key: ObjectIdentifier, gradient: Tensor)] {
    let output = Tensor(shape: node.outputShape, scalars: node.outputScalars, node: node)
    var inputs = node.inputs
    if !GradientMode.isRecording {
        // First order: an input that leads to no target is a constant for this pass, so a rule that asks
        // `requiresGradient` skips its gradient (a discriminator's weights while the generator is trained).
        for index in inputs.indices {
            if let inputNode = inputs[index].node, !relevant.contains(ObjectIdentifier(inputNode)) {
                inputs[index] = inputs[index].detached()
            }
        }
    }
    let inputGradients = backward(gradient, inputs, output)
    precondition(
        inputGradients.count == node.inputs.count,
        "backward rule of \(node.op) returned \(inputGradients.count) gradients for \(node.inputs.count) inputs")
    var contributions: [(key: ObjectIdentifier, gradient: Tensor)] = []
    for (input, inputGradient) in zip(node.inputs, inputGradients) {
        guard let inputNode = input.node, let inputGradient else { continue }
        let key = ObjectIdentifier(inputNode)
        guard relevant.contains(key) else { continue }
        precondition(
            inputGradient.shape == input.shape,
            "backward rule of \(node.op) returned gradient of shape \(inputGradient.shape) for input of shape "
                + "\(input.shape)")
        contributions.append((key, inputGradient))
    }
    return contributions
}

/// The gradient of a scalar `output` with respect to one tensor.
public func gradient(of output: Tensor, wrt target: Tensor, createGraph: Bool = false) -> Tensor {
    gradients(of: output, wrt: [target], createGraph: createGraph)[0]
}

/// The value of `body(x)` and its gradient with respect to `x`.
public func valueWithGradient(at x: Tensor, _ body: (Tensor) -> Tensor) -> (value: Tensor, gradient: Tensor) {
    let leaf = x.requiresGradient ? x : x.requiringGradient()
    let value = body(leaf)
    return (value.detached(), gradient(of: value, wrt: leaf))
}
