// Panic panics in the main goroutine, which exits with status 2.
package main

func main() {
	panic("boom from the guest")
}
