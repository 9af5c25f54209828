// Package gmmbeam fits the mixtures of gmm and gmm/mv to data held in an
// Apache Beam PCollection, on any runner of Beam's Go SDK: prism in the
// calling process, or Flink, Spark and Google Cloud Dataflow through their
// job servers.
//
// # One EM step, one pipeline
//
// Fit and FitMV are the library's own fit driven by statistics that Beam
// computes. Each EM step builds one pipeline: read(s) gives the data, one
// beam.Combine sums the sufficient statistics of every point at the current
// parameters (gmm.Stats or mv.Stats, the per-bundle sums merged by Chan,
// Golub & LeVeque's update), and one small DoFn writes the merged statistics
// where the driver reads them back (Settings.TempDir). The driver then takes
// the EM step exactly as the in-memory fit does, with the same Anderson
// acceleration and the same stopping rule, and builds the next pipeline.
// So with Settings.Warm, Fit takes the steps of gmm's Fit with Warm and EM
// on the same data: the statistics differ only in the order they are
// summed, and the losses agree at every step to rounding, the parameters to
// 1e-8 relative or better (1e-15 measured). Near the optimum, where a step
// changes the loss by as little as its rounding, a test on the loss (the
// acceptance of an accelerated step, the stopping rule) can fall the other
// way, as it does for the fit in memory on the same data permuted; the two
// then stop a step apart, at the same loss to rounding and parameters
// within about √Tol of each other (3e-7 measured at the default Tol).
//
// The current parameters travel to the workers in the CombineFn's exported
// fields, as the model's JSON. The accumulator is the Stats type, encoded by
// its MarshalBinary. Points arriving one per element are gathered into
// blocks of a few thousand inside the accumulator before the E-step runs on
// them, so that the E-step runs on the fast kernel; elements that are
// already blocks (Block, or []float64 for Fit) are summed at once and cost
// Beam's per-element overhead (about 1 µs on prism) once per block rather
// than once per point.
//
// # Starting points
//
// Without Settings.Warm, one more pipeline first draws a uniform sample of
// Settings.SampleSize points (with their weights), the model is fitted to
// it in memory by gmm's or mv's Fit (restarts, search and all), and the fit
// on all the data starts from there.
//
// # Element types
//
// Fit reads float64 (a point), Weighted (a point and its weight), []float64
// (a block of points) or Block (points and their weights). FitMV reads
// []float64 (a row), WeightedRow (a row and its weight) or Block (rows laid
// one after another, and their weights). Weights are finite and at least
// zero: a point of weight 2 counts as the point written twice, one of weight
// 0 not at all.
//
// # Running
//
// The caller's main parses its flags and calls beam.Init() before Fit, as
// every Beam program does; Settings.Runner names the runner ("" for prism,
// in process). Runners other than prism and universal must be registered by
// importing their package. Every DoFn and CombineFn of this package is
// registered in its init, so that workers started from the same binary find
// them.
package gmmbeam
