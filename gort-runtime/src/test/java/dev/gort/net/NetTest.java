package dev.gort.net;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.sync.WaitGroup;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.gort.runtime.Testing.*;
import static org.junit.jupiter.api.Assertions.*;

/** dev.gort.net on the network poller: parking, deadlines, close, errors, plain threads. */
class NetTest {
    private interface IoBody {
        void run() throws IOException;
    }

    private static Runnable io(IoBody b) {
        return () -> {
            try {
                b.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads exactly n bytes (or fails at end of stream). */
    private static byte[] readFull(Conn c, int n) throws IOException {
        byte[] b = new byte[n];
        int off = 0;
        while (off < n) {
            int r = c.read(b, off, n - off);
            if (r < 0) {
                throw new IOException("EOF after " + off + " of " + n);
            }
            off += r;
        }
        return b;
    }

    /** An echo server goroutine per connection, until the listener is closed. */
    private static void serveEcho(Listener l) {
        Gort.go(io(() -> {
            for (;;) {
                Conn c;
                try {
                    c = l.accept();
                } catch (SocketException e) {
                    return; // closed
                }
                Gort.go(io(() -> {
                    byte[] buf = new byte[4096];
                    try (c) {
                        for (int n; (n = c.read(buf, 0, buf.length)) >= 0; ) {
                            c.write(buf, 0, n);
                        }
                    }
                }));
            }
        }));
    }

    /**
     * With one P, a goroutine blocked in read must park and free the M: the client
     * goroutine can only run (and send what the server waits for) if it did.
     */
    private static void echoWithOneP(String network, String address) {
        runWithProcs(1, io(() -> {
            Listener l = Net.listen(network, address);
            serveEcho(l);
            String target = network.equals("unix") ? address : Addrs.toString(l.addr());
            Conn c = Net.dial(network, target);
            // The server's goroutine is parked in read ("IO wait") before anything is sent.
            waitUntil("the echo goroutine parks in read", () -> parked("IO wait") >= 1);
            for (int i = 0; i < 100; i++) {
                byte[] msg = bytes("hello " + i);
                c.write(msg, 0, msg.length);
                assertArrayEquals(msg, readFull(c, msg.length));
            }
            c.close();
            l.close();
        }));
    }

    @Test
    void echoOverTcpAtGomaxprocsOne() {
        echoWithOneP("tcp", "127.0.0.1:0");
    }

    @Test
    void echoOverTcp4AndTcp6() {
        runWithProcs(2, io(() -> {
            Listener l = Net.listen("tcp4", "127.0.0.1:0");
            serveEcho(l);
            Conn c = Net.dial("tcp4", Addrs.toString(l.addr()));
            c.write(bytes("x"), 0, 1);
            assertArrayEquals(bytes("x"), readFull(c, 1));
            assertTrue(c.localAddr() instanceof InetSocketAddress);
            assertEquals(l.addr(), c.remoteAddr());
            c.close();
            l.close();
        }));
        Listener l6;
        try {
            l6 = Net.listen("tcp6", "[::1]:0");
        } catch (IOException e) {
            return; // no IPv6 loopback on this machine
        }
        Listener l = l6;
        runWithProcs(2, io(() -> {
            serveEcho(l);
            String a = Addrs.toString(l.addr());
            assertTrue(a.startsWith("[::1]:"), a);
            Conn c = Net.dial("tcp6", a);
            c.write(bytes("y"), 0, 1);
            assertArrayEquals(bytes("y"), readFull(c, 1));
            c.close();
            l.close();
        }));
    }

    @Test
    void echoOverUnixAtGomaxprocsOne() throws IOException {
        Path dir = Files.createTempDirectory("gort-net");
        Path sock = dir.resolve("echo.sock");
        echoWithOneP("unix", sock.toString());
        assertFalse(Files.exists(sock), "the listener's close removes its socket file");
        Files.delete(dir);
    }

    @Test
    void halfCloseDeliversEndOfStream() {
        runWithProcs(2, io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            serveEcho(l);
            Conn c = Net.dial("tcp", Addrs.toString(l.addr()));
            byte[] msg = bytes("last words");
            c.write(msg, 0, msg.length);
            c.closeWrite();
            assertArrayEquals(msg, readFull(c, msg.length));
            assertEquals(-1, c.read(new byte[8], 0, 8), "the server closes after our EOF");
            c.close();
            l.close();
        }));
    }

    /** A write larger than the socket buffers waits (parked) until the reader drains them, and resumes. */
    @Test
    void largeWriteBlocksAndResumes() {
        runWithProcs(1, io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            Conn c = Net.dial("tcp", Addrs.toString(l.addr()));
            Conn s = l.accept();
            byte[] big = new byte[16 << 20];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i * 31 + (i >>> 11));
            }
            Chan<Boolean> done = Chan.make();
            Gort.go(io(() -> {
                c.write(big, 0, big.length);
                done.send(true);
            }));
            waitUntil("the writer parks on a full buffer", () -> parked("IO wait") >= 1);
            assertArrayEquals(big, readFull(s, big.length));
            assertTrue(done.recv());
            c.close();
            s.close();
            l.close();
        }));
    }

    /** 2,000 connections, each served by its own parked goroutine, on a few threads. */
    @Test
    void twoThousandConnectionsOnFewThreads() {
        int n = 2000;
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        long msBefore = gortMs();
        AtomicInteger peakThreads = new AtomicInteger();
        AtomicInteger echoed = new AtomicInteger();
        runWithProcs(2, io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            serveEcho(l);
            String addr = Addrs.toString(l.addr());
            WaitGroup connected = new WaitGroup();
            WaitGroup finished = new WaitGroup();
            Chan<Boolean> release = Chan.make();
            connected.add(n);
            finished.add(n);
            for (int i = 0; i < n; i++) {
                int id = i;
                Gort.go(io(() -> {
                    Conn c = Net.dial("tcp", addr);
                    byte[] msg = bytes("conn " + id);
                    c.write(msg, 0, msg.length);
                    assertArrayEquals(msg, readFull(c, msg.length));
                    connected.done();
                    release.recv(); // hold the connection open until all are
                    c.write(msg, 0, msg.length);
                    assertArrayEquals(msg, readFull(c, msg.length));
                    echoed.incrementAndGet();
                    c.close();
                    finished.done();
                }));
            }
            connected.await();
            // All the connections are open, their server goroutines parked in read.
            waitUntil(n + " server goroutines park in read", () -> parked("IO wait") >= n);
            peakThreads.set(ManagementFactory.getThreadMXBean().getThreadCount());
            long ms = gortMs();
            // gort's Ms stay near GOMAXPROCS (2): no M per connection (Ms of earlier runs in this JVM are reused).
            assertTrue(ms - msBefore <= 8, "Ms grew from " + msBefore + " to " + ms + " for " + n + " connections at GOMAXPROCS 2");
            release.close();
            finished.await();
            l.close();
        }));
        assertEquals(n, echoed.get());
        System.out.println("NetTest: " + n + " connections: JVM threads " + threadsBefore + " before, " + peakThreads.get()
                + " with all open");
        // Few Ms: GOMAXPROCS 2, a spare or two, sysmon, the deadlock watcher, the JVM's own.
        assertTrue(peakThreads.get() - threadsBefore < 40,
                "threads grew from " + threadsBefore + " to " + peakThreads.get() + " for " + n + " connections");
    }

    private static long gortMs() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("gort-m")).count();
    }

    @Test
    void readDeadlineTimesOutWithGosText() {
        runWithProcs(2, io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            Conn c = Net.dial("tcp", Addrs.toString(l.addr()));
            Conn s = l.accept();
            c.setReadDeadline(Instant.now().plusMillis(100));
            long t0 = System.nanoTime();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> c.read(new byte[4], 0, 4));
            assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(90).toNanos(), "timed out early");
            assertEquals("read tcp " + Addrs.toString(c.localAddr()) + "->" + Addrs.toString(c.remoteAddr())
                    + ": i/o timeout", e.getMessage());
            // Still timed out until the deadline is changed; cleared with null, a read waits for data.
            assertThrows(SocketTimeoutException.class, () -> c.read(new byte[4], 0, 4));
            c.setReadDeadline(null);
            Gort.go(io(() -> s.write(bytes("late"), 0, 4)));
            assertArrayEquals(bytes("late"), readFull(c, 4));
            // Extended: a deadline pushed later while a read waits does not fire at the old time.
            c.setReadDeadline(Instant.now().plusMillis(50));
            Gort.go(io(() -> {
                c.setReadDeadline(Instant.now().plusSeconds(30));
                dev.gort.time.Time.sleep(Duration.ofMillis(200));
                s.write(bytes("ext!"), 0, 4);
            }));
            assertArrayEquals(bytes("ext!"), readFull(c, 4));
            c.close();
            s.close();
            l.close();
        }));
    }

    /**
     * The poller blocks until the earliest timer (here a 20 s AfterFunc): a read
     * deadline armed later but due earlier must break that wait (wakeNetPoller).
     */
    @Test
    void aDeadlineEarlierThanEveryTimerWakesThePoll() {
        runWithProcs(1, io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            Conn c = Net.dial("tcp", Addrs.toString(l.addr()));
            Conn s = l.accept();
            dev.gort.time.Timer later = dev.gort.time.Time.afterFunc(Duration.ofSeconds(20), () -> { });
            c.setReadDeadline(Instant.now().plusMillis(100));
            long t0 = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> c.read(new byte[1], 0, 1));
            long took = System.nanoTime() - t0;
            assertTrue(took < Duration.ofSeconds(5).toNanos(), "the deadline fired after " + took + "ns");
            assertTrue(later.stop(), "the 20 s timer was still pending");
            c.close();
            s.close();
            l.close();
        }));
    }

    /**
     * A writer parked on a full socket buffer (the peer never reads) is woken by its write
     * deadline with Go's text; cleared, writes go on once the peer reads.
     */
    @Test
    void writeDeadlineWakesAWriterBlockedOnAFullBuffer() {
        runWithProcs(2, io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            Conn c = Net.dial("tcp", Addrs.toString(l.addr()));
            Conn s = l.accept();
            byte[] big = new byte[64 << 20]; // far more than both socket buffers hold
            c.setWriteDeadline(Instant.now().plusMillis(200));
            long t0 = System.nanoTime();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> c.write(big, 0, big.length));
            assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(180).toNanos(), "timed out early");
            assertEquals("write tcp " + Addrs.toString(c.localAddr()) + "->" + Addrs.toString(c.remoteAddr())
                    + ": i/o timeout", e.getMessage());
            // Cleared: a write parked on the full buffer resumes as the peer drains it.
            c.setWriteDeadline(null);
            Chan<Long> drained = Chan.make(1);
            Gort.go(io(() -> {
                byte[] buf = new byte[1 << 16];
                long total = 0;
                for (int r; (r = s.read(buf, 0, buf.length)) >= 0; ) {
                    total += r;
                }
                drained.send(total);
            }));
            byte[] more = new byte[8 << 20];
            c.write(more, 0, more.length);
            c.close();
            assertTrue(drained.recv() >= more.length);
            s.close();
            l.close();
        }));
    }

    /**
     * Go's sysmon polls the network when nobody has for 10 ms: here the only P never runs
     * out of work (a goroutine yielding in a loop), so findRunnable never reaches its poll,
     * and only sysmon's can deliver the data that lets the loop end.
     */
    @Test
    void sysmonPollsTheNetworkWhenEveryPIsBusy() throws Exception {
        AtomicReference<InetSocketAddress> addr = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                while (addr.get() == null) {
                    Thread.onSpinWait();
                }
                try (java.net.Socket sock = new java.net.Socket(addr.get().getAddress(), addr.get().getPort())) {
                    sock.getOutputStream().write(bytes("go"));
                    sock.getInputStream().read(); // until the server closes
                }
            } catch (IOException ignored) {
                // the server side fails the test
            }
        });
        writer.setDaemon(true);
        writer.start();
        runWithProcs(1, io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            java.util.concurrent.atomic.AtomicBoolean got = new java.util.concurrent.atomic.AtomicBoolean();
            long yields = 0;
            addr.set((InetSocketAddress) l.addr());
            Gort.go(io(() -> {
                try (Conn s = l.accept()) {
                    readFull(s, 2);
                    got.set(true);
                }
            }));
            long t0 = System.nanoTime();
            while (!got.get()) { // never idle: schedule finds this goroutine again at once
                Gort.gosched();
                yields++;
                assertTrue(System.nanoTime() - t0 < TIMEOUT.toNanos(), "the data was never delivered");
            }
            assertTrue(yields > 0);
            l.close();
        }));
        writer.join(TIMEOUT.toMillis());
    }

    @Test
    void aDeadlineInThePastFailsAtOnceEvenWithDataWaiting() {
        runWithProcs(2, io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            Conn c = Net.dial("tcp", Addrs.toString(l.addr()));
            Conn s = l.accept();
            s.write(bytes("data"), 0, 4);
            c.setDeadline(Instant.now().minusSeconds(1));
            assertThrows(SocketTimeoutException.class, () -> c.read(new byte[4], 0, 4));
            SocketTimeoutException w = assertThrows(SocketTimeoutException.class, () -> c.write(bytes("z"), 0, 1));
            assertTrue(w.getMessage().startsWith("write tcp ") && w.getMessage().endsWith(": i/o timeout"), w.getMessage());
            c.setDeadline(null);
            assertArrayEquals(bytes("data"), readFull(c, 4));
            // A past deadline wakes a read already parked.
            Chan<String> err = Chan.make(1);
            Gort.go(() -> {
                try {
                    c.read(new byte[4], 0, 4);
                    err.send("read returned");
                } catch (IOException e) {
                    err.send(e.getMessage());
                }
            });
            waitUntil("the reader parks", () -> parked("IO wait") >= 1);
            c.setReadDeadline(Instant.EPOCH);
            assertTrue(err.recv().endsWith(": i/o timeout"));
            c.close();
            s.close();
            l.close();
        }));
    }

    @Test
    void acceptDeadlineAndCloseWakeTheAcceptor() {
        runWithProcs(1, io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            l.setDeadline(Instant.now().plusMillis(50));
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, l::accept);
            assertEquals("accept tcp " + Addrs.toString(l.addr()) + ": i/o timeout", e.getMessage());
            l.setDeadline(null);
            Chan<String> err = Chan.make(1);
            Gort.go(() -> {
                try {
                    l.accept();
                    err.send("accepted");
                } catch (IOException x) {
                    err.send(x.getClass().getSimpleName() + ": " + x.getMessage());
                }
            });
            waitUntil("the acceptor parks", () -> parked("IO wait") >= 1);
            String a = Addrs.toString(l.addr());
            l.close();
            assertEquals("SocketException: accept tcp " + a + ": use of closed network connection", err.recv());
        }));
    }

    /** Go's pattern of several goroutines accepting on one listener (Go serializes them on the fd's read lock). */
    @Test
    void severalAcceptorsOnOneListener() {
        runWithProcs(2, io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            int acceptors = 4;
            Chan<Conn> accepted = Chan.make(acceptors);
            for (int i = 0; i < acceptors; i++) {
                Gort.go(io(() -> accepted.send(l.accept())));
            }
            waitUntil("one acceptor parks on the poller", () -> parked("IO wait") >= 1);
            List<Conn> dialed = new ArrayList<>();
            for (int i = 0; i < acceptors; i++) {
                dialed.add(Net.dial("tcp", Addrs.toString(l.addr())));
            }
            for (int i = 0; i < acceptors; i++) {
                accepted.recv().close();
            }
            for (Conn c : dialed) {
                c.close();
            }
            l.close();
        }));
    }

    @Test
    void closeFromAnotherGoroutineWakesABlockedReader() {
        runWithProcs(1, io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            Conn c = Net.dial("tcp", Addrs.toString(l.addr()));
            Conn s = l.accept();
            Chan<IOException> err = Chan.make(1);
            Gort.go(() -> {
                try {
                    c.read(new byte[4], 0, 4);
                    err.send(null);
                } catch (IOException x) {
                    err.send(x);
                }
            });
            waitUntil("the reader parks", () -> parked("IO wait") >= 1);
            String la = Addrs.toString(c.localAddr());
            String ra = Addrs.toString(c.remoteAddr());
            c.close();
            IOException x = err.recv();
            assertInstanceOf(SocketException.class, x);
            assertEquals("read tcp " + la + "->" + ra + ": use of closed network connection", x.getMessage());
            // And after close, calls fail the same way; the peer sees end of stream.
            SocketException again = assertThrows(SocketException.class, () -> c.write(bytes("a"), 0, 1));
            assertEquals("write tcp " + la + "->" + ra + ": use of closed network connection", again.getMessage());
            assertEquals(-1, s.read(new byte[1], 0, 1));
            s.close();
            l.close();
        }));
    }

    @Test
    void dialRefusedAndListenInUseHaveGosText() throws IOException {
        Listener l = Net.listen("tcp", "127.0.0.1:0");
        String a = Addrs.toString(l.addr());
        BindException b = assertThrows(BindException.class, () -> Net.listen("tcp", a));
        assertEquals("listen tcp " + a + ": bind: address already in use", b.getMessage());
        l.close();
        inGoroutine(() -> {
            ConnectException e = assertThrows(ConnectException.class, () -> Net.dial("tcp", a));
            assertEquals("dial tcp " + a + ": connect: connection refused", e.getMessage());
        });
        ConnectException e = assertThrows(ConnectException.class, () -> Net.dial("tcp", a)); // plain thread
        assertEquals("dial tcp " + a + ": connect: connection refused", e.getMessage());
    }

    @Test
    void badNetworksAndAddressesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Net.listen("udpx", ":0"));
        assertTrue(e.getMessage().contains("udpx"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Net.dial("tcp", "127.0.0.1:70000"));
        assertTrue(e.getMessage().contains("127.0.0.1:70000"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Net.dial("tcp", "127.0.0.1"));
        assertTrue(e.getMessage().contains("missing port"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Net.dial("tcp", "::1:80"));
        assertTrue(e.getMessage().contains("too many colons"), e.getMessage());
    }

    @Test
    void dialTimeoutOnAnUnreachableAddress() {
        // 10.255.255.1 is not routed on a test machine: the connect stays pending (or fails
        // at once with "network is unreachable" on a machine without a default route; a
        // sandbox that answers every connect makes the test moot).
        AtomicReference<IOException> failure = new AtomicReference<>();
        long[] took = new long[1];
        inGoroutine(() -> {
            long t0 = System.nanoTime();
            try {
                Net.dialTimeout("tcp", "10.255.255.1:81", Duration.ofMillis(200)).close();
            } catch (IOException e) {
                failure.set(e);
            }
            took[0] = System.nanoTime() - t0;
        });
        IOException e = failure.get();
        org.junit.jupiter.api.Assumptions.assumeTrue(e != null, "10.255.255.1:81 accepted a connection here");
        if (e instanceof SocketTimeoutException) {
            assertEquals("dial tcp 10.255.255.1:81: i/o timeout", e.getMessage());
            assertTrue(took[0] >= Duration.ofMillis(190).toNanos(), "timed out after " + took[0] + "ns");
        } else {
            assertTrue(e.getMessage().startsWith("dial tcp 10.255.255.1:81: connect: "), e.getMessage());
        }
    }

    /** On a plain thread the calls block the thread; the poller is run by the scheduler's Ms. */
    @Test
    void plainThreadsBlock() throws Exception {
        Listener l = Net.listen("tcp", "127.0.0.1:0");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread server = new Thread(() -> {
            try (Conn s = l.accept()) {
                InputStream in = s.inputStream();
                OutputStream out = s.outputStream();
                for (int b; (b = in.read()) >= 0; ) {
                    out.write(b);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        server.start();
        Conn c = Net.dial("tcp", Addrs.toString(l.addr()));
        c.setReadDeadline(Instant.now().plusMillis(50));
        assertThrows(SocketTimeoutException.class, () -> c.read(new byte[1], 0, 1));
        c.setReadDeadline(null);
        for (int i = 0; i < 50; i++) {
            byte[] msg = bytes("plain " + i);
            c.write(msg, 0, msg.length);
            assertArrayEquals(msg, readFull(c, msg.length));
        }
        c.close();
        server.join(TIMEOUT.toMillis());
        assertFalse(server.isAlive());
        assertNull(failure.get());
        l.close();
    }

    /**
     * Goroutines waiting on the network are not a deadlock, even when every M is idle:
     * the client here is a JDK socket on a plain thread that never touches gort, and it
     * writes only after the deadlock watcher would have decided twice.
     */
    @Test
    void waitingOnTheNetworkIsNoDeadlock() throws Exception {
        AtomicReference<String> got = new AtomicReference<>();
        runWithProcs(2, io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            InetSocketAddress a = (InetSocketAddress) l.addr();
            Thread client = new Thread(() -> {
                try (java.net.Socket sock = new java.net.Socket(a.getAddress(), a.getPort())) {
                    Thread.sleep(700); // several deadlock-watcher periods with every goroutine in IO wait
                    sock.getOutputStream().write(bytes("wake"));
                    sock.getInputStream().read();
                } catch (Exception ignored) {
                    // the test fails on the server side
                }
            });
            client.setDaemon(true);
            client.start();
            Conn s = l.accept();
            // One more goroutine parked in read forever: Go reports nothing for it either.
            Conn idle = Net.dial("tcp", Addrs.toString(l.addr()));
            Conn idlePeer = l.accept();
            Gort.go(() -> {
                try {
                    idle.read(new byte[1], 0, 1);
                } catch (IOException ignored) {
                    // closed at the end
                }
            });
            got.set(new String(readFull(s, 4), StandardCharsets.UTF_8));
            s.close();
            idle.close();
            idlePeer.close();
            l.close();
        }));
        assertEquals("wake", got.get());
    }

    /**
     * A JVM runs many programs (runs) one after another. Goroutines an ended run left in IO
     * wait, or a dead run's, must not keep a later run's deadlock from being reported (an M
     * blocked in the poller for them only is idle to checkdead), and the ended run's
     * goroutines still get their I/O: the poller goes on serving them.
     */
    @Test
    void goroutinesLeftInIoWaitByEndedRunsDoNotHideALaterDeadlock() throws Exception {
        int ioWaitBefore = parked("IO wait");
        AtomicReference<Listener> ln = new AtomicReference<>();
        AtomicReference<String> served = new AtomicReference<>();
        Gort.run(io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            ln.set(l);
            Gort.go(io(() -> { // abandoned in accept when the run ends
                try (Conn c = l.accept()) {
                    served.set(new String(readFull(c, 2), StandardCharsets.UTF_8));
                }
            }));
            waitUntil("the acceptor in IO wait", () -> parked("IO wait") > ioWaitBefore);
        }));
        // A dead run's goroutine in read: its run died of a panic.
        AtomicReference<Conn> idle = new AtomicReference<>();
        try (dev.gort.tests.StderrCapture err = new dev.gort.tests.StderrCapture()) {
            assertThrows(dev.gort.FatalError.class, () -> Gort.run(io(() -> {
                Listener l2 = Net.listen("tcp", "127.0.0.1:0");
                Conn c = Net.dial("tcp", Addrs.toString(l2.addr()));
                idle.set(l2.accept());
                l2.close();
                Gort.go(io(() -> c.read(new byte[1], 0, 1)));
                waitUntil("the reader in IO wait", () -> parked("IO wait") > ioWaitBefore + 1);
                throw new IllegalStateException("this run dies");
            })));
        }
        try (dev.gort.tests.StderrCapture err = new dev.gort.tests.StderrCapture()) {
            dev.gort.FatalError e = assertThrows(dev.gort.FatalError.class,
                    () -> Gort.run(() -> Chan.<Integer>make().recv()));
            assertEquals("all goroutines are asleep - deadlock!", e.getMessage());
        }
        // The ended run's acceptor is still served by the poller, with every M idle.
        InetSocketAddress a = (InetSocketAddress) ln.get().addr();
        try (java.net.Socket sock = new java.net.Socket(a.getAddress(), a.getPort())) {
            sock.getOutputStream().write(bytes("ok"));
            waitUntil("the abandoned acceptor served", () -> served.get() != null);
        }
        assertEquals("ok", served.get());
        ln.get().close();
        idle.get().close();
    }

    /**
     * Under the agent, a call on a connection's stream is rewritten to Blocking's wrapper:
     * it must call the stream directly (it parks on the poller), not as a syscall, while
     * any other stream's call is a syscall.
     */
    @Test
    void theAgentsWrappersDoNotMakeConnectionStreamsSyscalls() {
        runWithProcs(1, io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            Conn c = Net.dial("tcp", Addrs.toString(l.addr()));
            Conn s = l.accept();
            s.write(bytes("xy"), 0, 2);
            int t0 = syscallTick();
            dev.gort.runtime.hook.Blocking.write(c.outputStream(), bytes("a"), 0, 1);
            assertEquals('x', dev.gort.runtime.hook.Blocking.read(c.inputStream()));
            byte[] one = new byte[1];
            assertEquals(1, dev.gort.runtime.hook.Blocking.read(c.inputStream(), one, 0, 1));
            assertEquals(t0, syscallTick(), "a connection stream's call went through a syscall");
            dev.gort.runtime.hook.Blocking.read(new java.io.ByteArrayInputStream(one));
            assertNotEquals(t0, syscallTick(), "another stream's call is a syscall (the probe works)");
            assertArrayEquals(bytes("a"), readFull(s, 1));
            c.close();
            s.close();
            l.close();
        }));
    }

    /** Go sets TCP_NODELAY (and keep-alive) on every TCP connection, dialed or accepted. */
    @Test
    void tcpConnectionsHaveNoDelay() {
        runWithProcs(2, io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            Conn c = Net.dial("tcp", Addrs.toString(l.addr()));
            Conn s = l.accept();
            for (Conn conn : List.of(c, s)) {
                java.nio.channels.SocketChannel ch = (java.nio.channels.SocketChannel) conn.fd.channel;
                assertTrue(ch.getOption(java.net.StandardSocketOptions.TCP_NODELAY), "TCP_NODELAY");
                assertTrue(ch.getOption(java.net.StandardSocketOptions.SO_KEEPALIVE), "SO_KEEPALIVE");
            }
            c.close();
            s.close();
            l.close();
        }));
    }

    @Test
    void streamsAdaptTheConnection() {
        runWithProcs(2, io(() -> {
            Listener l = Net.listen("tcp", "127.0.0.1:0");
            serveEcho(l);
            Conn c = Net.dial("tcp", Addrs.toString(l.addr()));
            OutputStream out = c.outputStream();
            InputStream in = c.inputStream();
            out.write(bytes("stream"));
            out.write('!');
            byte[] b = in.readNBytes(7);
            assertEquals("stream!", new String(b, StandardCharsets.UTF_8));
            c.closeWrite();
            assertEquals(-1, in.read());
            out.close();
            l.close();
        }));
    }

    @Test
    void unixAddresses() throws IOException {
        Path dir = Files.createTempDirectory("gort-net");
        Path sock = dir.resolve("a.sock");
        List<Object> addrs = new ArrayList<>();
        runWithProcs(1, io(() -> {
            Listener l = Net.listen("unix", sock.toString());
            assertEquals(UnixDomainSocketAddress.of(sock), l.addr());
            Conn c = Net.dial("unix", sock.toString());
            Conn s = l.accept();
            addrs.add(c.remoteAddr());
            s.close();
            assertEquals(-1, c.read(new byte[1], 0, 1));
            c.close();
            l.close();
        }));
        assertEquals(List.of(UnixDomainSocketAddress.of(sock)), addrs);
        SocketException e = assertThrows(SocketException.class, () -> Net.dial("unix", sock.toString()));
        assertEquals("dial unix " + sock + ": connect: no such file or directory", e.getMessage());
        Files.delete(dir);
    }
}
