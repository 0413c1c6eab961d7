// Run by GroovyIT under the agent (main=goroutine): Groovy compiles this script at run time
// (its classes are defined and instrumented as they load), then the work runs on the main
// goroutine and over goroutines. Every answer is checked here; the last line says "ok".
import dev.gort.Chan
import dev.gort.Gort
import groovy.transform.CompileStatic

class Node { int v; Node l, r }

@CompileStatic
class Sieve {
    static int countPrimes(int n) {
        boolean[] composite = new boolean[n + 1]
        int count = 0
        for (int i = 2; i <= n; i++) {
            if (!composite[i]) {
                count++
                for (long j = (long) i * i; j <= n; j += i) composite[(int) j] = true
            }
        }
        count
    }
}

Node insert(Node n, int v) { if (n == null) return new Node(v: v); if (v < n.v) n.l = insert(n.l, v) else n.r = insert(n.r, v); n }
long sum(Node n) { n == null ? 0L : n.v + sum(n.l) + sum(n.r) }
int depth(Node n) { n == null ? 0 : 1 + Math.max(depth(n.l), depth(n.r)) }

def rnd = new Random(42)
Node root = null
def values = []
5000.times { int v = rnd.nextInt(1_000_000); values << v; root = insert(root, v) }
assert sum(root) == values.sum(0L)
assert depth(root) < 60

def freq = (1..20000).collect { "w" + (it % 97) }.countBy { it }
assert freq.size() == 97 && freq['w1'] == 207
def squares = (1..1000).collect { it * it }.findAll { it % 3 == 0 }
assert squares.size() == 333
assert Sieve.countPrimes(100000) == 9592

// Fan out over goroutines: each counts words in its own map and sends the result.
def results = Chan.make(8)
8.times { int k ->
    Gort.go {
        def r = new Random(k)
        def m = [:]
        20000.times { def key = "k" + r.nextInt(500); m[key] = (m[key] ?: 0) + 1 }
        results.send(m.values().sum())
    }
}
def counts = (1..8).collect { results.recv() }
assert counts == [20000] * 8

// A monitor shared by goroutines, a goroutine sleep, and a plain thread.
def lock = new Object()
int shared = 0
def done = Chan.make(4)
4.times {
    Gort.go {
        1000.times { synchronized (lock) { shared++ } }
        Thread.sleep(5)
        done.send(true)
    }
}
4.times { done.recv() }
assert shared == 4000
def fromThread = null
def t = Thread.start { fromThread = 'plain thread' }
t.join()
assert fromThread == 'plain thread'

println "ok tree=${values.size()} words=${freq.size()} primes=${Sieve.countPrimes(100000)} goroutines=${counts.size()} shared=${shared}"
