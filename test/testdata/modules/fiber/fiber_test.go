package fiber_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

func newApp() *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/hello/:name", func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"hello": c.Params("name")})
	})
	return app
}

// TestAppTest sends a request through app.Test (an in-memory connection).
func TestAppTest(t *testing.T) {
	app := newApp()
	resp, err := app.Test(httptest.NewRequest("GET", "/hello/xen", nil), 5000)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != `{"hello":"xen"}` {
		t.Fatalf("GET /hello/xen = %d %q", resp.StatusCode, b)
	}
}

// TestListen serves on a loopback listener and uses net/http's client.
func TestListen(t *testing.T) {
	app := newApp()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln) }()
	defer func() {
		if err := app.ShutdownWithTimeout(2 * time.Second); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Listener: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Listener did not return after Shutdown")
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+ln.Addr().String()+"/hello/loop", nil)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != `{"hello":"loop"}` {
		t.Fatalf("GET /hello/loop = %d %q", resp.StatusCode, b)
	}
}
