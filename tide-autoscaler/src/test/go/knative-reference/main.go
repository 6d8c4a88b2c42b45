// Command knative-reference replays autoscaling traces through Knative Serving's own KPA code (its metric
// windows from pkg/autoscaler/aggregation and its decider from pkg/autoscaler/scaling), so that Tide's
// KnativeDifferentialTest can assert that Tide decides exactly as Knative does, tick for tick.
//
// Input on stdin, one directive per line, times in whole Unix seconds:
//
//	trace ID
//	spec METRIC TARGET TOTAL TBC PANIC_THRESHOLD UP_RATE DOWN_RATE STABLE_S PANIC_S DELAY_S ACTIVATION INITIAL REACHABLE AGGREGATION SCRAPED READY_AT_START START
//	rec SECOND CONCURRENCY RPS
//	reach 0|1
//	tick SECOND READY
//	end
//
// For every tick it prints: ID SECOND DESIRED EXCESS_BURST_CAPACITY VALID PANICKING.
package main

import (
	"bufio"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric/noop"
	"go.uber.org/zap"
	"k8s.io/apimachinery/pkg/types"

	"knative.dev/serving/pkg/autoscaler/aggregation"
	am "knative.dev/serving/pkg/autoscaler/metrics"
	"knative.dev/serving/pkg/autoscaler/scaling"
)

type averager interface {
	Record(time.Time, float64)
	WindowAverage(time.Time) float64
	IsEmpty(time.Time) bool
}

// windows plays the part of Knative's MetricCollector for one revision: the same four bucketed windows and the
// same "no data" rule (an empty stable window is an error only when replicas are scraped).
type windows struct {
	stableC, panicC, stableR, panicR averager
	scraped                          bool
}

func (w *windows) StableAndPanicConcurrency(_ types.NamespacedName, now time.Time) (float64, float64, error) {
	if w.stableC.IsEmpty(now) && w.scraped {
		return 0, 0, am.ErrNoData
	}
	return w.stableC.WindowAverage(now), w.panicC.WindowAverage(now), nil
}

func (w *windows) StableAndPanicRPS(_ types.NamespacedName, now time.Time) (float64, float64, error) {
	if w.stableR.IsEmpty(now) && w.scraped {
		return 0, 0, am.ErrNoData
	}
	return w.stableR.WindowAverage(now), w.panicR.WindowAverage(now), nil
}

type pods struct{ ready int }

func (p *pods) ReadyCount() (int, error)    { return p.ready, nil }
func (p *pods) NotReadyCount() (int, error) { return 0, nil }

// field reads (or, with set, writes) one of the decider's unexported fields: its panic state is not in its result.
func field(scaler scaling.UniScaler, name string) reflect.Value {
	f := reflect.ValueOf(scaler).Elem().FieldByName(name)
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	logger := zap.NewNop().Sugar()
	var (
		id     string
		spec   *scaling.DeciderSpec
		scaler scaling.UniScaler
		w      *windows
		p      *pods
	)
	for in.Scan() {
		f := strings.Fields(in.Text())
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "trace":
			id = f[1]
		case "spec":
			sec := func(i int) time.Duration { return time.Duration(num(f[i])) * time.Second }
			stable, panicWindow := sec(8), sec(9)
			spec = &scaling.DeciderSpec{
				ScalingMetric:       f[1],
				TargetValue:         num(f[2]),
				TotalValue:          num(f[3]),
				TargetBurstCapacity: num(f[4]),
				PanicThreshold:      num(f[5]),
				MaxScaleUpRate:      num(f[6]),
				MaxScaleDownRate:    num(f[7]),
				StableWindow:        stable,
				ScaleDownDelay:      sec(10),
				ActivationScale:     int32(num(f[11])),
				InitialScale:        int32(num(f[12])),
				Reachable:           f[13] == "1",
			}
			newWindow := func(d time.Duration) averager { return aggregation.NewTimedFloat64Buckets(d, time.Second) }
			if f[14] == "weighted-exponential" {
				newWindow = func(d time.Duration) averager { return aggregation.NewWeightedFloat64Buckets(d, time.Second) }
			}
			w = &windows{newWindow(stable), newWindow(panicWindow), newWindow(stable), newWindow(panicWindow), f[15] == "1"}
			p = &pods{ready: int(num(f[16]))}
			scaler = scaling.New(attribute.NewSet(), noop.NewMeterProvider(), "ns", id, w, p, spec)
			if p.ready > 1 {
				// Knative starts such a decider in panic at time.Now(); the trace's clock is its own.
				field(scaler, "panicTime").Set(reflect.ValueOf(time.Unix(int64(num(f[17])), 0)))
			}
		case "rec":
			now := time.Unix(int64(num(f[1])), 0)
			w.stableC.Record(now, num(f[2]))
			w.panicC.Record(now, num(f[2]))
			w.stableR.Record(now, num(f[3]))
			w.panicR.Record(now, num(f[3]))
		case "reach":
			next := *spec
			next.Reachable = f[1] == "1"
			spec = &next
			scaler.Update(spec)
		case "tick":
			p.ready = int(num(f[2]))
			r := scaler.Scale(logger, time.Unix(int64(num(f[1])), 0))
			panicking := !field(scaler, "panicTime").Interface().(time.Time).IsZero()
			fmt.Fprintf(out, "%s %s %d %d %t %t\n", id, f[1], r.DesiredPodCount, r.ExcessBurstCapacity, r.ScaleValid, panicking)
		case "end":
			out.Flush()
		default:
			fmt.Fprintf(os.Stderr, "unknown directive %q\n", f[0])
			os.Exit(2)
		}
	}
}

func num(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		fmt.Fprintf(os.Stderr, "not a number: %q\n", s)
		os.Exit(2)
	}
	return v
}
