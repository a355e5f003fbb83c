/// Where a Transformer layer normalizes.
public enum TransformerNormPlacement: String, Sendable, Equatable, CaseIterable, Codable {
    /// After each residual sum, `x = LN(x + f(x))` (Vaswani et al. 2017; PyTorch `norm_first = False`).
    case postNorm = "post-norm"
    /// Before each sub-layer, `x = x + f(LN(x))`, with a final norm after the stack (Xiong et al. 2020, "On Layer
    /// Normalization in the Transformer Architecture"; PyTorch `norm_first = True`); trains without warm-up.
    case preNorm = "pre-norm"
}

/// The sizes and choices shared by the layers of a Transformer.
public struct TransformerLayerConfiguration: Sendable, Equatable, Codable {
    /// Model size D.
    public var modelSize: Int
    /// Number of attention heads h (dividing D).
    public var headCount: Int
    /// Inner size F of the feed-forward block.
    public var feedForwardSize: Int
    /// Dropout after attention and feed-forward blocks, on attention weights and inside the feed-forward block.
    public var dropout: Float
    /// σ of the feed-forward block.
    public var activation: TransformerActivation
    /// Pre- or post-norm.
    public var normPlacement: TransformerNormPlacement
    /// ε of every LayerNorm.
    public var layerNormEpsilon: Float

    /// A configuration; the defaults are PyTorch's `nn.TransformerEncoderLayer` ones except the sizes.
    public init(
        modelSize: Int, headCount: Int, feedForwardSize: Int? = nil, dropout: Float = 0.1,
        activation: TransformerActivation = .relu, normPlacement: TransformerNormPlacement = .postNorm,
        layerNormEpsilon: Float = 1e-5
    ) {
        self.modelSize = modelSize
        self.headCount = headCount
        self.feedForwardSize = feedForwardSize ?? 4 * modelSize
        self.dropout = dropout
        self.activation = activation
        self.normPlacement = normPlacement
        self.layerNormEpsilon = layerNormEpsilon
    }

    func validate(_ owner: String) {
        precondition(
            modelSize > 0 && headCount > 0 && modelSize % headCount == 0 && feedForwardSize > 0
                && (0..<1).contains(dropout),
            "\(owner): invalid configuration \(self)")
    }
}
