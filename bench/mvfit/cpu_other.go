//go:build !unix

package main

// cpuSeconds returns NaN: the process's CPU time is read on Unix only.
func cpuSeconds() float64 { return nan() }
