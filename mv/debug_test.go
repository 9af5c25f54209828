package mv

import (
	"context"
	"fmt"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/iris"
)

func TestDebugStarts(t *testing.T) {
	x := mat.NewDense(150, 4, iris.Measurements())
	for _, k := range []int{3, 8} {
		m := Model{K: k, Covariance: VVV}
		cfg := (&Settings{}).withDefaults()
		data, _ := m.checkFit(x, &cfg)
		f := newFitter(&m, data, &cfg)
		for _, st := range f.starts() {
			o := f.runFrom(context.Background(), f.screen, st.labels, st.rows, st.index)
			if o.err != nil {
				fmt.Println(k, st.index, "err", o.err, len(o.loss), o.loss[max(0, len(o.loss)-1):])
				continue
			}
			fmt.Println(k, st.index, o.loss[0], o.loss[len(o.loss)-1], len(o.loss))
		}
	}
}
