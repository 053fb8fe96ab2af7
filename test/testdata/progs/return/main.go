// Return prints a line and returns from main, which exits with status 0.
package main

import "fmt"

func main() {
	fmt.Println("returning from main")
}
