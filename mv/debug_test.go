package mv

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/iris"
)

func TestDebugMclustTable(t *testing.T) {
	x := mat.NewDense(150, 4, iris.Measurements())
	b, _ := os.ReadFile("/tmp/mclust_bic.txt")
	t0 := time.Now()
	worse := 0
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(l)
		c, _ := ParseCovariance(f[0])
		k, _ := strconv.Atoi(f[1])
		ref, err := strconv.ParseFloat(f[3], 64)
		m := Model{K: k, Covariance: c}
		_, ferr := m.Fit(x, nil)
		var ll float64
		if ferr == nil {
			ll, _ = m.LogLikelihood(x)
		}
		if err != nil {
			fmt.Println(f[0], k, "mclust NA; ours", ll, ferr)
			continue
		}
		if ferr != nil || ll < ref-1e-3 {
			worse++
			fmt.Printf("%s %d mclust %.4f ours %.4f %v\n", f[0], k, ref, ll, ferr)
		}
	}
	fmt.Println("worse", worse, time.Since(t0))
}
