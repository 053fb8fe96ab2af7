// Sleepgc exercises the scheduler with no devices: goroutines that
// sleep, a timer, a channel, allocation with collections, and the
// clocks. It prints "sleepgc ok" and exits 0, or says what failed and
// exits 1.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

func main() {
	start := time.Now()
	if start.Year() < 2020 {
		fail("wall clock reads %v", start)
	}

	// Goroutines that sleep, finishing in order of their sleeps.
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	for i := 3; i >= 1; i-- {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 30 * time.Millisecond)
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if fmt.Sprint(order) != "[1 2 3]" {
		fail("goroutines woke in the order %v", order)
	}

	// A timer and a ticker.
	select {
	case <-time.After(20 * time.Millisecond):
	case <-time.After(5 * time.Second):
		fail("the shorter timer did not fire first")
	}
	tk := time.NewTicker(5 * time.Millisecond)
	for range 3 {
		<-tk.C
	}
	tk.Stop()

	// Allocation that needs the collector.
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gcs := ms.NumGC
	keep := make([][]byte, 0, 16)
	for i := range 2000 {
		b := make([]byte, 64<<10)
		b[0] = byte(i)
		if i%128 == 0 {
			keep = append(keep, b)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	if ms.NumGC <= gcs {
		fail("no collection ran (NumGC %d)", ms.NumGC)
	}

	el := time.Since(start)
	if el < 110*time.Millisecond || el > 30*time.Second {
		fail("the monotonic clock measured %v for about 115ms of sleeping", el)
	}
	fmt.Printf("sleepgc ok: %d collections, %d kept, %v\n", ms.NumGC-gcs, len(keep), el.Round(time.Millisecond))
}

func fail(format string, args ...any) {
	fmt.Printf("sleepgc: "+format+"\n", args...)
	os.Exit(1)
}
