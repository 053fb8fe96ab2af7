// Command linuxtag prints which files the go command chose for it and
// for a package of its own that supports xen: outside GOROOT, GOOS=xen
// builds a package's linux files unless it has files for xen (see
// test/linuxtag_test.go).
package main

import (
	"fmt"
	"runtime"

	"example/linuxtag/native"
)

func main() {
	fmt.Println("GOOS", runtime.GOOS)
	fmt.Println("file", byName)
	fmt.Println("constraint", byConstraint)
	fmt.Println("native", native.Which)
}
