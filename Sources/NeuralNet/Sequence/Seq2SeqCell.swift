import Autodiff

/// A recurrent cell whose state can be transformed tensor by tensor, which a sequence-to-sequence decoder needs:
/// to reorder beams (select rows of every state tensor), to repeat an encoder state for each beam, and to merge the
/// two directions of a bidirectional encoder into one decoder state.
public protocol Seq2SeqCell: RecurrentCell {
    /// The state with `transform` applied to each of its tensors (all `[B, H]`).
    static func mapState(_ state: State, _ transform: (Tensor) -> Tensor) -> State
    /// The state whose tensors are `combine` of the corresponding tensors of `first` and `second`.
    static func combineStates(_ first: State, _ second: State, _ combine: (Tensor, Tensor) -> Tensor) -> State
}

extension GRUCell: Seq2SeqCell {
    /// `transform(h)`.
    public static func mapState(_ state: Tensor, _ transform: (Tensor) -> Tensor) -> Tensor { transform(state) }
    /// `combine(h₁, h₂)`.
    public static func combineStates(_ first: Tensor, _ second: Tensor, _ combine: (Tensor, Tensor) -> Tensor)
        -> Tensor
    { combine(first, second) }
}

extension RNNCell: Seq2SeqCell {
    /// `transform(h)`.
    public static func mapState(_ state: Tensor, _ transform: (Tensor) -> Tensor) -> Tensor { transform(state) }
    /// `combine(h₁, h₂)`.
    public static func combineStates(_ first: Tensor, _ second: Tensor, _ combine: (Tensor, Tensor) -> Tensor)
        -> Tensor
    { combine(first, second) }
}

extension LSTMCell: Seq2SeqCell {
    /// `transform` of the hidden vector and of the memory cell.
    public static func mapState(_ state: LSTMState, _ transform: (Tensor) -> Tensor) -> LSTMState {
        LSTMState(hidden: transform(state.hidden), cell: transform(state.cell))
    }
    /// `combine` of the hidden vectors and of the memory cells.
    public static func combineStates(
        _ first: LSTMState, _ second: LSTMState, _ combine: (Tensor, Tensor) -> Tensor
    ) -> LSTMState {
        LSTMState(hidden: combine(first.hidden, second.hidden), cell: combine(first.cell, second.cell))
    }
}
