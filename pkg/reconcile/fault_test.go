package reconcile_test

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

type (
	yeastarQuery = yeastar.SearchQuery
	yeastarPage  = yeastar.SearchPage
)

// refusingPBX sends the next searches to a port nothing listens on, so
// that they fail with a real refused connection.
type refusingPBX struct {
	reconcile.PBX
	dead    *yeastar.Client
	mu      sync.Mutex
	left    int
	refused int
}

func (p *refusingPBX) refuse(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.left = n
}

func (p *refusingPBX) SearchRecordings(ctx context.Context, q yeastar.SearchQuery) (yeastar.SearchPage, error) {
	p.mu.Lock()
	dead := p.left > 0
	if dead {
		p.left--
		p.refused++
	}
	p.mu.Unlock()
	if dead {
		return p.dead.SearchRecordings(ctx, q)
	}
	return p.PBX.SearchRecordings(ctx, q)
}

// deadClient is a PBX client of a loopback port nothing listens on; its
// token comes from a source that never calls the PBX.
func deadClient(t *testing.T) *yeastar.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	c, err := yeastar.New("http://"+addr, fixedToken{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type fixedToken struct{}

func (fixedToken) AccessToken(context.Context) (string, error) { return "unused-token", nil }
func (fixedToken) InvalidateToken(string)                      {}
