package mv

import (
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/mvpost"
)

// SetPosteriorFault makes Posterior use the deliberately wrong conditional
// f until the test t ends. Tests that call it must not run in parallel
// with others that call Posterior.
func SetPosteriorFault(t testing.TB, f mvpost.Fault) {
	old := posteriorFault
	posteriorFault = f
	t.Cleanup(func() { posteriorFault = old })
}

// SelectFirstStart returns the partition of the rows of x that starts
// Select's fits with k components first: the VVV agglomeration's, cut
// into k groups.
func SelectFirstStart(x mat.Matrix, k int) []int {
	s := (&Settings{}).withDefaults()
	f := newFitter(&Model{K: k, Covariance: VVV}, rows(x), &s)
	f.sel = &selectShared{full: selectFullRuns, parts: &partCache{}}
	return f.partitions(rows(x)).z[0]
}
