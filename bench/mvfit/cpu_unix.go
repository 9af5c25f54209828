//go:build unix

package main

import "syscall"

// cpuSeconds returns the CPU time, user and system, the process has used
// so far, or NaN where it cannot tell.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return nan()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
