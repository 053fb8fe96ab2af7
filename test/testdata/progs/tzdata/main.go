// Command tzdata links the time zone database into the image with an
// import of time/tzdata, and prints Europe/Berlin's and the local ($TZ)
// time at a fixed instant. See test/std_test.go.
package main

import (
	"fmt"
	"time"
	_ "time/tzdata"
)

func main() {
	t := time.Date(2026, time.July, 1, 12, 0, 0, 0, time.UTC)
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		fmt.Printf("LoadLocation: %v\n", err)
		return
	}
	fmt.Printf("Europe/Berlin: %s\n", t.In(loc))
	fmt.Printf("Local %s: %s\n", time.Local, t.In(time.Local))
}
