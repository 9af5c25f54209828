//go:build !race

package mvkernel

const raceBuild = false
