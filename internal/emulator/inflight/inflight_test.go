package inflight

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestGaugeKeepsThePeak(t *testing.T) {
	var g Gauge
	g.Enter()
	g.Enter()
	g.Enter()
	g.Leave()
	assert.Equal(t, 3, g.Peak())
	g.Reset()
	assert.Equal(t, 2, g.Peak(), "Reset starts from the requests still in flight")
	g.Leave()
	g.Leave()
	assert.Equal(t, 2, g.Peak())

	var in, wg sync.WaitGroup
	start := make(chan struct{})
	for range 8 {
		in.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.Enter()
			in.Done()
			<-start
			g.Leave()
		}()
	}
	in.Wait() // all eight are in before any leaves
	close(start)
	wg.Wait()
	assert.Equal(t, 8, g.Peak())
}
