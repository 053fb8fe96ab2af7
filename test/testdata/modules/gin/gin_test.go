package gin_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

func newRouter() *gin.Engine {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.GET("/ping/:name", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"pong": c.Param("name"), "q": c.Query("q")})
	})
	r.POST("/echo", func(c *gin.Context) {
		var in struct {
			A int    `json:"a" binding:"required"`
			B string `json:"b"`
		}
		if err := c.ShouldBindJSON(&in); err != nil {
			c.String(http.StatusBadRequest, "bad: %v", err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"a": in.A * 2, "b": strings.ToUpper(in.B)})
	})
	return r
}

func get(t *testing.T, client *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return resp.StatusCode, string(b)
}

// TestServeLoopback serves the router on a real loopback listener
// (httptest.NewServer) and sends requests with an http.Client.
func TestServeLoopback(t *testing.T) {
	srv := httptest.NewServer(newRouter())
	defer srv.Close()
	if h, _, _ := net.SplitHostPort(srv.Listener.Addr().String()); h != "127.0.0.1" {
		t.Fatalf("listener on %s, want 127.0.0.1", srv.Listener.Addr())
	}
	client := &http.Client{Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/ping/xen?q=1", nil)
	code, body := get(t, client, req)
	if code != http.StatusOK || body != `{"pong":"xen","q":"1"}` {
		t.Fatalf("GET /ping/xen = %d %q", code, body)
	}

	req, _ = http.NewRequestWithContext(ctx, "POST", srv.URL+"/echo", strings.NewReader(`{"a":21,"b":"go"}`))
	req.Header.Set("Content-Type", "application/json")
	code, body = get(t, client, req)
	if code != http.StatusOK || body != `{"a":42,"b":"GO"}` {
		t.Fatalf("POST /echo = %d %q", code, body)
	}

	req, _ = http.NewRequestWithContext(ctx, "GET", srv.URL+"/nowhere", nil)
	if code, _ = get(t, client, req); code != http.StatusNotFound {
		t.Fatalf("GET /nowhere = %d, want 404", code)
	}
}

// TestRecorder runs the router without a network, through ServeHTTP.
func TestRecorder(t *testing.T) {
	w := httptest.NewRecorder()
	newRouter().ServeHTTP(w, httptest.NewRequest("POST", "/echo", strings.NewReader(`{"b":"x"}`)))
	if w.Code != http.StatusBadRequest {
		t.Fatalf("POST /echo without a = %d %q, want 400", w.Code, w.Body)
	}
}
