//go:build !linux && !xen

package native

const Which = "native_other.go"
