package gmmbeam_test

import (
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/options/jobopts"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"

	"github.com/gmm-go/gmm/gmmbeam"
	"github.com/gmm-go/gmm/mv"
)

// TestFitOnJobServer runs the job-server path that Flink and Spark take
// (the universal runner with -endpoint), on prism's own job server as
// go/cmd/prism starts it, listening on this machine's loopback address,
// with the workers in this process (LOOPBACK).
func TestFitOnJobServer(t *testing.T) {
	l, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := prism.CreateJobServer(ctx, prism.Options{Port: port}); err != nil {
		t.Fatal(err)
	}
	endpoint, env := *jobopts.Endpoint, *jobopts.EnvironmentType
	defer func() { *jobopts.Endpoint, *jobopts.EnvironmentType = endpoint, env }()
	*jobopts.Endpoint, *jobopts.EnvironmentType = fmt.Sprintf("localhost:%d", port), "LOOPBACK"

	x, _ := data2(2000)
	mem, bm := start2(mv.VVV), start2(mv.VVV)
	want, err := mem.Fit(x, &mv.Settings{Warm: true, MaxSteps: pathSteps})
	if err != nil {
		t.Fatal(err)
	}
	read := func(s beam.Scope) beam.PCollection {
		return beam.CreateList(s, blocks(x.RawMatrix().Data, nil, 300, 2))
	}
	got, err := gmmbeam.FitMV(ctx, bm, read, &gmmbeam.Settings{Runner: "universal", Warm: true, MaxSteps: pathSteps})
	if err != nil {
		t.Fatal(err)
	}
	checkPath(t, got.Loss, want.Loss, [2][]float64{bm.Weights, mem.Weights}, [2][]float64{bm.Means.RawMatrix().Data, mem.Means.RawMatrix().Data})
}
