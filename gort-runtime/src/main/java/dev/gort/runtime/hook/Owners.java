package dev.gort.runtime.hook;

import java.util.List;

/**
 * Groups of JDK classes whose call sites a {@link Wraps wrapper} replaces. A call site
 * names the static type of its receiver, so each group lists the type that declares the
 * method and the JDK subtypes code usually calls it through. In-memory streams
 * ({@code ByteArrayInputStream}, {@code StringReader}, ...) are left out on purpose: they
 * never block, and a syscall around each of their one-byte reads would cost more than the
 * read.
 */
public enum Owners {
    INPUT_STREAM("java.io.InputStream", "java.io.FileInputStream", "java.io.BufferedInputStream",
            "java.io.DataInputStream", "java.io.FilterInputStream", "java.io.PushbackInputStream",
            "java.io.SequenceInputStream", "java.io.ObjectInputStream", "java.io.PipedInputStream"),
    OUTPUT_STREAM("java.io.OutputStream", "java.io.FileOutputStream", "java.io.BufferedOutputStream",
            "java.io.DataOutputStream", "java.io.FilterOutputStream", "java.io.PrintStream",
            "java.io.ObjectOutputStream", "java.io.PipedOutputStream"),
    READER("java.io.Reader", "java.io.BufferedReader", "java.io.InputStreamReader", "java.io.FileReader",
            "java.io.LineNumberReader", "java.io.PushbackReader", "java.io.PipedReader", "java.io.FilterReader"),
    BUFFERED_READER("java.io.BufferedReader", "java.io.LineNumberReader"),
    WRITER("java.io.Writer", "java.io.BufferedWriter", "java.io.OutputStreamWriter", "java.io.FileWriter",
            "java.io.PrintWriter", "java.io.PipedWriter", "java.io.FilterWriter"),
    RANDOM_ACCESS_FILE("java.io.RandomAccessFile"),
    READABLE_CHANNEL("java.nio.channels.ReadableByteChannel", "java.nio.channels.ByteChannel",
            "java.nio.channels.SeekableByteChannel", "java.nio.channels.FileChannel",
            "java.nio.channels.SocketChannel", "java.nio.channels.Pipe$SourceChannel"),
    WRITABLE_CHANNEL("java.nio.channels.WritableByteChannel", "java.nio.channels.ByteChannel",
            "java.nio.channels.SeekableByteChannel", "java.nio.channels.FileChannel",
            "java.nio.channels.SocketChannel", "java.nio.channels.Pipe$SinkChannel"),
    FILE_CHANNEL("java.nio.channels.FileChannel"),
    SOCKET("java.net.Socket"),
    SERVER_SOCKET("java.net.ServerSocket"),
    SOCKET_CHANNEL("java.nio.channels.SocketChannel"),
    SERVER_SOCKET_CHANNEL("java.nio.channels.ServerSocketChannel"),
    FILES("java.nio.file.Files"),
    /** Object's final wait methods: no class can override or hide them, so any owner. */
    ANY_OBJECT("*"),
    THREAD("java.lang.Thread"),
    TIME_UNIT("java.util.concurrent.TimeUnit"),
    LOCK_SUPPORT("java.util.concurrent.locks.LockSupport"),
    FUTURE("java.util.concurrent.Future", "java.util.concurrent.RunnableFuture",
            "java.util.concurrent.ScheduledFuture", "java.util.concurrent.RunnableScheduledFuture",
            "java.util.concurrent.FutureTask", "java.util.concurrent.CompletableFuture",
            "java.util.concurrent.ForkJoinTask"),
    COMPLETABLE_FUTURE("java.util.concurrent.CompletableFuture"),
    BLOCKING_QUEUE("java.util.concurrent.BlockingQueue", "java.util.concurrent.BlockingDeque",
            "java.util.concurrent.TransferQueue", "java.util.concurrent.LinkedBlockingQueue",
            "java.util.concurrent.ArrayBlockingQueue", "java.util.concurrent.SynchronousQueue",
            "java.util.concurrent.LinkedBlockingDeque", "java.util.concurrent.PriorityBlockingQueue",
            "java.util.concurrent.LinkedTransferQueue"),
    COUNT_DOWN_LATCH("java.util.concurrent.CountDownLatch"),
    PROCESS("java.lang.Process");

    /** Binary names (dots, {@code $} for nested classes); {@code "*"}: any owner. */
    public final List<String> classes;

    Owners(String... classes) {
        this.classes = List.of(classes);
    }
}
