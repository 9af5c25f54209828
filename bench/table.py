"""Prints the table of bench/compare.sh from its results file.

Each line of the file is a set of key=value pairs from gofit fit or
sklearn_fit.py, prefixed with case= and side=: go (GOMAXPROCS at its
default), go1 (GOMAXPROCS=1), sk (scikit-learn with its default threads),
sk1 (OMP_NUM_THREADS=1), gomem and skmem (one fit each, under
/usr/bin/time -v, for the peak memory).
"""
import sys


def parse(path):
    rows = {}
    order = []
    with open(path) as f:
        for line in f:
            kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
            case, side = kv["case"], kv["side"]
            if case not in rows:
                rows[case] = {}
                order.append(case)
            rows[case][side] = kv
    return order, rows


def main():
    order, rows = parse(sys.argv[1])
    print()
    print("Go: gmm Fit at its default Settings (Tol 1e-10); iris with NotebookPrior, K=2; mix3 with the zero Prior, K=3, EM.")
    print("scikit-learn: GaussianMixture(n_components=K) at its defaults (maximum likelihood, tol 1e-3).")
    print("Times are medians over the runs; the ratio divides Go's median by the faster of scikit-learn's")
    print("two (default threads, one thread). Peak RSS is /usr/bin/time -v's maximum resident set size of a")
    print("process that loads the data and fits once. avg LL is the log-likelihood per point of the fit.")
    print()
    head = ("case", "n", "runs", "Go ms", "Go 1P ms", "skl ms", "skl 1T ms", "time ratio",
            "Go RSS MiB", "skl RSS MiB", "Go RSS/data", "RSS ratio", "Go avg LL", "skl avg LL", "Go − skl LL")
    out = [head]
    for case in order:
        r = rows[case]
        go, go1, sk, sk1, gm, sm = (r[s] for s in ("go", "go1", "sk", "sk1", "gomem", "skmem"))
        n = int(go["n"])
        runs = len(go["times_ms"].split(","))
        g, g1 = float(go["median_ms"]), float(go1["median_ms"])
        s, s1 = float(sk["median_ms"]), float(sk1["median_ms"])
        best = min(s, s1)
        grss, srss = float(gm["maxrss_kib"]) / 1024, float(sm["maxrss_kib"]) / 1024
        data = 8 * n / 2**20
        gll, sll = float(go["avg_loglik"]), float(sk["avg_loglik"])
        out.append((
            case, f"{n:.0e}" if n >= 1000 else str(n), str(runs),
            f"{g:.3f}", f"{g1:.3f}", f"{s:.3f}", f"{s1:.3f}", f"{g / best:.3f}",
            f"{grss:.1f}", f"{srss:.1f}", f"{grss / data:.2f}" if n >= 100000 else "-",
            f"{grss / srss:.3f}", f"{gll:.6f}", f"{sll:.6f}", f"{gll - sll:+.2e}",
        ))
    w = [max(len(row[i]) for row in out) for i in range(len(head))]
    for j, row in enumerate(out):
        print("  ".join(c.rjust(w[i]) for i, c in enumerate(row)))
        if j == 0:
            print("  ".join("-" * w[i] for i in range(len(head))))
    print()
    print("Go converged:", ", ".join(f"{c} {rows[c]['go']['converged']} in {rows[c]['go']['steps']} steps" for c in order))
    print("scikit-learn:", ", ".join(f"{c} {rows[c]['sk']['n_iter']} iterations" for c in order))
    print("iris: Go fits the MAP under the notebook's prior, scikit-learn the maximum likelihood, so their")
    print("average log-likelihoods differ by design; for mix3 both maximise the likelihood.")


if __name__ == "__main__":
    main()
