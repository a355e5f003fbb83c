@_exported import Autodiff
