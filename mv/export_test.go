package mv

import (
	"testing"

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
