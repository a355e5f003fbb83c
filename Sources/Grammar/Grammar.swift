/// Grammar: syntactic algebras, meaning assignments and compositionality checks (see the module README).
