// Exitargs prints each argument on its own line and exits with status 3.
package main

import (
	"fmt"
	"os"
)

func main() {
	for i, a := range os.Args[1:] {
		fmt.Printf("arg[%d]=%q\n", i+1, a)
	}
	os.Exit(3)
}
