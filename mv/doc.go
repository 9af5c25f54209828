// Package mv fits Gaussian mixture models to d-dimensional data, with the
// fourteen covariance models of R's mclust.
//
// For data x_1..x_n in R^d (the rows of a mat.Matrix) and K components,
//
//	x_i | z_i = k  ~  Normal_d(μ_k, Σ_k),     z_i ~ Categorical(w),
//
// with Σ_k = λ_k D_k A_k D_kᵀ: volume λ_k, shape A_k (diagonal, det 1) and
// orientation D_k (orthogonal), each Equal across the components, Variable,
// or the Identity, which gives mclust's names EII … VVV (Banfield & Raftery
// 1993; Celeux & Govaert 1995). scikit-learn's four covariance types are
// the aliases Spherical (VII), Diagonal (VVI), Tied (EEE) and Full (VVV).
//
// A Model holds K, the Covariance and the Prior; Fit finds the weights,
// means and covariances by EM, maximising the likelihood for the zero Prior
// (as mclust's default and scikit-learn's GaussianMixture) or the posterior
// density under the conjugate prior of Fraley & Raftery (2007), which
// DefaultPrior sets as mclust's priorControl() does. Assign, Responsibilities,
// LogDensity and LogLikelihood read a fitted model; BIC and ICL score it
// (lower is better, as scikit-learn's bic; mclust reports the negatives).
// Select fits every combination of K and covariance model and returns the
// one with the lowest BIC or ICL, as mclust's Mclust does, with the whole
// table of candidates.
//
// Posterior samples the whole posterior of the weights, means and
// covariances under the conjugate prior, for the four models scikit-learn
// also has (Full, Tied, Diagonal, Spherical), by Gibbs sampling or
// mean-field variational Bayes, with the root package's relabelling and
// diagnostics.
//
// The sums an EM step adds up are a type of their own, Stats: Accumulate
// adds rows to them at a model's parameters, Merge combines two sets and
// Update makes the M-step, so that the data can be weighted
// (Settings.Weights), streamed (FitStream), summed on many machines
// (FitPasses) or have missing values (Settings.AllowMissing: NaN marks a
// missing coordinate, and the EM step uses the conditional expectations of
// Ghahramani & Jordan 1994).
//
// Under maximum likelihood a component can collapse onto fewer points than
// it has dimensions, onto collinear columns or onto repeated rows, and the
// likelihood grows without limit. Such runs are disqualified, and if every
// run collapses Fit returns an error that names the component and says
// what to do: a prior, fewer components, or a more constrained model.
//
// A fitted Model is safe for concurrent use by many goroutines as long as
// none of them changes it: the read-only methods only read its fields.
package mv
