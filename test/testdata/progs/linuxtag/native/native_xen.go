// Package native supports xen itself, with a file named for it, so the
// go command does not treat xen as linux for it.
package native

const Which = "native_xen.go"
