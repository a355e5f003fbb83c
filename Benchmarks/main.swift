import Autodiff
import NeuralNet
