/// Sampling: distributions, Monte Carlo samplers, MCMC with diagnostics, EM and variational inference.
