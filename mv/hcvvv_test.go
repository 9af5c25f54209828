package mv_test

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/mv"
)

// TestSelectFirstStartMclust compares the first starting partition of
// Select's fits, the VVV agglomeration cut into K groups, with mclust's
// starting partitions for mclustBIC (testdata/mclust_hc.txt, from
// mclust_hc.R) on iris's four columns and on the Old Faithful data,
// K = 1..9: they must be the same partitions, label for label up to
// renumbering. There is no tolerance: one merge made otherwise changes the
// partitions from there on.
func TestSelectFirstStartMclust(t *testing.T) {
	ref := readMclustHC(t)
	for _, tt := range []struct {
		name string
		x    *mat.Dense
	}{
		{"iris", irisX()},
		{"faithful", faithful(t)},
	} {
		for k := 1; k <= 9; k++ {
			want, ok := ref[tt.name+"/"+strconv.Itoa(k)]
			if !ok {
				t.Fatalf("%s, K=%d: not in testdata/mclust_hc.txt", tt.name, k)
			}
			got := mv.SelectFirstStart(tt.x, k)
			if !samePartition(got, want) {
				t.Errorf("%s, K=%d: the first start is not mclust's partition", tt.name, k)
			}
		}
	}
}

// readMclustHC reads testdata/mclust_hc.txt into partitions by "name/K".
func readMclustHC(t *testing.T) map[string][]int {
	t.Helper()
	f, err := os.Open("testdata/mclust_hc.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ref := map[string][]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		z := make([]int, len(fields)-2)
		for i, s := range fields[2:] {
			v, err := strconv.Atoi(s)
			if err != nil {
				t.Fatal(err)
			}
			z[i] = v
		}
		ref[fields[0]+"/"+fields[1]] = z
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ref
}

// samePartition reports whether two labellings split the points alike.
func samePartition(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	ab, ba := map[int]int{}, map[int]int{}
	for i := range a {
		if w, ok := ab[a[i]]; ok && w != b[i] {
			return false
		}
		if w, ok := ba[b[i]]; ok && w != a[i] {
			return false
		}
		ab[a[i]], ba[b[i]] = b[i], a[i]
	}
	return true
}
