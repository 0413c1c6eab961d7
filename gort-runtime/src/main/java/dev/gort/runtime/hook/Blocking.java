package dev.gort.runtime.hook;

import dev.gort.runtime.HookRt;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.Reader;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Blocking JDK calls as syscalls (Go's entersyscall/exitsyscall around a blocking system
 * call): with {@code blocking=on} the agent replaces each call site of a method below's
 * {@link Wraps} target by a call of the method, which runs the same call (the same virtual
 * dispatch) between {@link HookRt#enterSyscall} and {@link HookRt#exitSyscall}. If the call
 * blocks, sysmon hands the goroutine's P to another M, so the other goroutines keep
 * running; the fast path costs two runtime entries. Calls known to block
 * ({@code Object.wait}, {@code Thread.join}, {@code LockSupport.park*}) enter with
 * {@code entersyscallblock}: the P is handed off at once. {@code Thread.sleep} is not a
 * syscall but a goroutine sleep ({@link #sleep(long)}).
 *
 * <p>Each wrapper spells out its own {@code enterSyscall; try { call } finally
 * { exitSyscall }} on purpose. Rejected: one helper taking the call as a lambda (as
 * {@code Gort.syscall} does). Many wrapped calls are cheap and frequent, such as
 * {@code BufferedWriter.write(int)}, and a capturing lambda would allocate on every one.
 * It would also add a frame between the application and the JDK method and route each
 * checked exception through a generic type parameter. The agent's table of these methods
 * (gort-agent's {@code WrapperTable}) is generated from the {@link Wraps} annotations.
 *
 * <p>Streams marked {@link PollerIo} (dev.gort.net's connections) are called directly: they
 * park on the network poller and never block the M.
 *
 * <p>One wrapper per wrapped signature, written by hand; the owners' class names are in
 * {@link Owners}.
 */
@SuppressWarnings({"unchecked", "rawtypes"})
public final class Blocking {
    private Blocking() {}

    /** {@code Thread.sleep(millis)}: a goroutine sleep (see {@link HookRt#sleep}). */
    @Wraps(value = Owners.THREAD, isStatic = true)
    public static void sleep(long millis) throws InterruptedException {
        if (millis < 0) {
            Thread.sleep(millis); // the JDK's own IllegalArgumentException
        }
        HookRt.sleep(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    /** {@code Thread.sleep(millis, nanos)}. */
    @Wraps(value = Owners.THREAD, isStatic = true)
    public static void sleep(long millis, int nanos) throws InterruptedException {
        if (millis < 0 || nanos < 0 || nanos > 999_999) {
            Thread.sleep(millis, nanos); // the JDK's own IllegalArgumentException
        }
        long ns = TimeUnit.MILLISECONDS.toNanos(millis);
        HookRt.sleep(ns + nanos < ns ? Long.MAX_VALUE : ns + nanos);
    }

    /** {@code Thread.sleep(Duration)}: a negative duration does not sleep, as the JDK's. */
    @Wraps(value = Owners.THREAD, isStatic = true)
    public static void sleep(Duration duration) throws InterruptedException {
        long ns;
        try {
            ns = duration.toNanos();
        } catch (ArithmeticException overflow) {
            ns = duration.isNegative() ? 0 : Long.MAX_VALUE;
        }
        HookRt.sleep(Math.max(ns, 0));
    }

    /** {@code TimeUnit.sleep(timeout)}. */
    @Wraps(Owners.TIME_UNIT)
    public static void sleep(TimeUnit unit, long timeout) throws InterruptedException {
        if (timeout > 0) {
            HookRt.sleep(unit.toNanos(timeout));
        }
    }

    @Wraps(Owners.INPUT_STREAM)
    public static int read(InputStream self) throws IOException {
        if (self instanceof PollerIo) {
            return self.read();
        }
        Object s = HookRt.enterSyscall(false);
        try {
            return self.read();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.INPUT_STREAM)
    public static int read(InputStream self, byte[] b) throws IOException {
        if (self instanceof PollerIo) {
            return self.read(b);
        }
        Object s = HookRt.enterSyscall(false);
        try {
            return self.read(b);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.INPUT_STREAM)
    public static int read(InputStream self, byte[] b, int off, int len) throws IOException {
        if (self instanceof PollerIo) {
            return self.read(b, off, len);
        }
        Object s = HookRt.enterSyscall(false);
        try {
            return self.read(b, off, len);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.INPUT_STREAM)
    public static byte[] readAllBytes(InputStream self) throws IOException {
        if (self instanceof PollerIo) {
            return self.readAllBytes();
        }
        Object s = HookRt.enterSyscall(false);
        try {
            return self.readAllBytes();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.INPUT_STREAM)
    public static byte[] readNBytes(InputStream self, int len) throws IOException {
        if (self instanceof PollerIo) {
            return self.readNBytes(len);
        }
        Object s = HookRt.enterSyscall(false);
        try {
            return self.readNBytes(len);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.INPUT_STREAM)
    public static int readNBytes(InputStream self, byte[] b, int off, int len) throws IOException {
        if (self instanceof PollerIo) {
            return self.readNBytes(b, off, len);
        }
        Object s = HookRt.enterSyscall(false);
        try {
            return self.readNBytes(b, off, len);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.INPUT_STREAM)
    public static long skip(InputStream self, long n) throws IOException {
        if (self instanceof PollerIo) {
            return self.skip(n);
        }
        Object s = HookRt.enterSyscall(false);
        try {
            return self.skip(n);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.INPUT_STREAM)
    public static long transferTo(InputStream self, OutputStream out) throws IOException {
        if (self instanceof PollerIo && out instanceof PollerIo) {
            return self.transferTo(out);
        }
        Object s = HookRt.enterSyscall(false);
        try {
            return self.transferTo(out);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.OUTPUT_STREAM)
    public static void write(OutputStream self, int b) throws IOException {
        if (self instanceof PollerIo) {
            self.write(b);
            return;
        }
        Object s = HookRt.enterSyscall(false);
        try {
            self.write(b);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.OUTPUT_STREAM)
    public static void write(OutputStream self, byte[] b) throws IOException {
        if (self instanceof PollerIo) {
            self.write(b);
            return;
        }
        Object s = HookRt.enterSyscall(false);
        try {
            self.write(b);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.OUTPUT_STREAM)
    public static void write(OutputStream self, byte[] b, int off, int len) throws IOException {
        if (self instanceof PollerIo) {
            self.write(b, off, len);
            return;
        }
        Object s = HookRt.enterSyscall(false);
        try {
            self.write(b, off, len);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.OUTPUT_STREAM)
    public static void flush(OutputStream self) throws IOException {
        if (self instanceof PollerIo) {
            self.flush();
            return;
        }
        Object s = HookRt.enterSyscall(false);
        try {
            self.flush();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.READER)
    public static int read(Reader self) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.read();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.READER)
    public static int read(Reader self, char[] c) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.read(c);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.READER)
    public static int read(Reader self, char[] c, int off, int len) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.read(c, off, len);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.BUFFERED_READER)
    public static String readLine(BufferedReader self) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.readLine();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.WRITER)
    public static void write(Writer self, int c) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.write(c);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.WRITER)
    public static void write(Writer self, char[] c) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.write(c);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.WRITER)
    public static void write(Writer self, char[] c, int off, int len) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.write(c, off, len);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.WRITER)
    public static void write(Writer self, String str) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.write(str);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.WRITER)
    public static void write(Writer self, String str, int off, int len) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.write(str, off, len);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.WRITER)
    public static void flush(Writer self) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.flush();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.RANDOM_ACCESS_FILE)
    public static int read(RandomAccessFile self) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.read();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.RANDOM_ACCESS_FILE)
    public static int read(RandomAccessFile self, byte[] b) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.read(b);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.RANDOM_ACCESS_FILE)
    public static int read(RandomAccessFile self, byte[] b, int off, int len) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.read(b, off, len);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.RANDOM_ACCESS_FILE)
    public static void readFully(RandomAccessFile self, byte[] b) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.readFully(b);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.RANDOM_ACCESS_FILE)
    public static void readFully(RandomAccessFile self, byte[] b, int off, int len) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.readFully(b, off, len);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.RANDOM_ACCESS_FILE)
    public static void write(RandomAccessFile self, int b) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.write(b);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.RANDOM_ACCESS_FILE)
    public static void write(RandomAccessFile self, byte[] b) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.write(b);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.RANDOM_ACCESS_FILE)
    public static void write(RandomAccessFile self, byte[] b, int off, int len) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.write(b, off, len);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.READABLE_CHANNEL)
    public static int read(ReadableByteChannel self, ByteBuffer dst) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.read(dst);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.WRITABLE_CHANNEL)
    public static int write(WritableByteChannel self, ByteBuffer src) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.write(src);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.FILE_CHANNEL)
    public static int read(FileChannel self, ByteBuffer dst, long position) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.read(dst, position);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.FILE_CHANNEL)
    public static int write(FileChannel self, ByteBuffer src, long position) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.write(src, position);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.FILE_CHANNEL)
    public static void force(FileChannel self, boolean metaData) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.force(metaData);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.SOCKET)
    public static void connect(Socket self, SocketAddress endpoint) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.connect(endpoint);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.SOCKET)
    public static void connect(Socket self, SocketAddress endpoint, int timeout) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.connect(endpoint, timeout);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.SERVER_SOCKET)
    public static Socket accept(ServerSocket self) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.accept();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.SOCKET_CHANNEL)
    public static boolean connect(SocketChannel self, SocketAddress remote) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.connect(remote);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.SERVER_SOCKET_CHANNEL)
    public static SocketChannel accept(ServerSocketChannel self) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.accept();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(value = Owners.FILES, isStatic = true)
    public static byte[] readAllBytes(Path path) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return Files.readAllBytes(path);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(value = Owners.FILES, isStatic = true)
    public static String readString(Path path) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return Files.readString(path);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(value = Owners.FILES, isStatic = true)
    public static List<String> readAllLines(Path path) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return Files.readAllLines(path);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(value = Owners.FILES, isStatic = true)
    public static Path write(Path path, byte[] bytes, OpenOption... options) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return Files.write(path, bytes, options);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(value = Owners.FILES, isStatic = true)
    public static Path writeString(Path path, CharSequence csq, OpenOption... options) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return Files.writeString(path, csq, options);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(value = Owners.FILES, isStatic = true)
    public static Path copy(Path source, Path target, CopyOption... options) throws IOException {
        Object s = HookRt.enterSyscall(false);
        try {
            return Files.copy(source, target, options);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.ANY_OBJECT)
    public static void wait(Object self) throws InterruptedException {
        Object s = HookRt.enterSyscall(true);
        try {
            self.wait();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.ANY_OBJECT)
    public static void wait(Object self, long timeoutMillis) throws InterruptedException {
        Object s = HookRt.enterSyscall(true);
        try {
            self.wait(timeoutMillis);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.ANY_OBJECT)
    public static void wait(Object self, long timeoutMillis, int nanos) throws InterruptedException {
        Object s = HookRt.enterSyscall(true);
        try {
            self.wait(timeoutMillis, nanos);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.THREAD)
    public static void join(Thread self) throws InterruptedException {
        Object s = HookRt.enterSyscall(true);
        try {
            self.join();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.THREAD)
    public static void join(Thread self, long millis) throws InterruptedException {
        Object s = HookRt.enterSyscall(true);
        try {
            self.join(millis);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.THREAD)
    public static boolean join(Thread self, Duration duration) throws InterruptedException {
        Object s = HookRt.enterSyscall(true);
        try {
            return self.join(duration);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(value = Owners.LOCK_SUPPORT, isStatic = true)
    public static void park() {
        Object s = HookRt.enterSyscall(true);
        try {
            LockSupport.park();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(value = Owners.LOCK_SUPPORT, isStatic = true)
    public static void park(Object blocker) {
        Object s = HookRt.enterSyscall(true);
        try {
            LockSupport.park(blocker);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(value = Owners.LOCK_SUPPORT, isStatic = true)
    public static void parkNanos(long nanos) {
        Object s = HookRt.enterSyscall(true);
        try {
            LockSupport.parkNanos(nanos);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(value = Owners.LOCK_SUPPORT, isStatic = true)
    public static void parkNanos(Object blocker, long nanos) {
        Object s = HookRt.enterSyscall(true);
        try {
            LockSupport.parkNanos(blocker, nanos);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(value = Owners.LOCK_SUPPORT, isStatic = true)
    public static void parkUntil(long deadline) {
        Object s = HookRt.enterSyscall(true);
        try {
            LockSupport.parkUntil(deadline);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(value = Owners.LOCK_SUPPORT, isStatic = true)
    public static void parkUntil(Object blocker, long deadline) {
        Object s = HookRt.enterSyscall(true);
        try {
            LockSupport.parkUntil(blocker, deadline);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.FUTURE)
    public static Object get(Future<?> self) throws InterruptedException, ExecutionException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.get();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.FUTURE)
    public static Object get(Future<?> self, long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.get(timeout, unit);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.COMPLETABLE_FUTURE)
    public static Object join(CompletableFuture<?> self) {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.join();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.BLOCKING_QUEUE)
    public static void put(BlockingQueue<Object> self, Object e) throws InterruptedException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.put(e);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.BLOCKING_QUEUE)
    public static Object take(BlockingQueue<?> self) throws InterruptedException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.take();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.BLOCKING_QUEUE)
    public static boolean offer(BlockingQueue<Object> self, Object e, long timeout, TimeUnit unit) throws InterruptedException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.offer(e, timeout, unit);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.BLOCKING_QUEUE)
    public static Object poll(BlockingQueue<?> self, long timeout, TimeUnit unit) throws InterruptedException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.poll(timeout, unit);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.COUNT_DOWN_LATCH)
    public static void await(CountDownLatch self) throws InterruptedException {
        Object s = HookRt.enterSyscall(false);
        try {
            self.await();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.COUNT_DOWN_LATCH)
    public static boolean await(CountDownLatch self, long timeout, TimeUnit unit) throws InterruptedException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.await(timeout, unit);
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.PROCESS)
    public static int waitFor(Process self) throws InterruptedException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.waitFor();
        } finally {
            HookRt.exitSyscall(s);
        }
    }

    @Wraps(Owners.PROCESS)
    public static boolean waitFor(Process self, long timeout, TimeUnit unit) throws InterruptedException {
        Object s = HookRt.enterSyscall(false);
        try {
            return self.waitFor(timeout, unit);
        } finally {
            HookRt.exitSyscall(s);
        }
    }
}
