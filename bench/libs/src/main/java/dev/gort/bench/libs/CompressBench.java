package dev.gort.bench.libs;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.snappy.FramedSnappyCompressorInputStream;
import org.apache.commons.compress.compressors.snappy.FramedSnappyCompressorOutputStream;
import org.apache.commons.compress.compressors.snappy.SnappyCompressorInputStream;
import org.apache.commons.compress.compressors.snappy.SnappyCompressorOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * Commons Compress's pure-Java codecs, in memory: each round packs {@code files} small
 * text files into a tar archive, compresses the archive with bzip2 and framed Snappy, decompresses each, unpacks the tar again, and checks that every file came back
 * whole. All streams are in memory, so no I/O is measured; their reads and writes still go
 * through the stream call sites the agent looks at.
 *
 * <p>{@code java ... dev.gort.bench.libs.CompressBench [rounds=20] [files=100]
 * [goroutines=K]}
 */
public final class CompressBench {
    private CompressBench() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Rounds.args(argv);
        int files = Rounds.intArg(args, "files", 100);
        Rounds.first(round(files(2, 5)));
        byte[][][] sets = new byte[Rounds.copies(args)][][];
        for (int i = 0; i < sets.length; i++) {
            sets[i] = files(files, 17 + i);
        }
        Rounds.run(args, 20, (round, copy) -> round(sets[copy]));
    }

    static long round(byte[][] files) throws IOException {
        byte[] tar = tar(files);
        long c = tar.length;
        for (int codec = 0; codec < 2; codec++) {
            ByteArrayOutputStream packed = new ByteArrayOutputStream();
            try (OutputStream out = compressor(codec, packed)) {
                out.write(tar);
            }
            byte[] back;
            try (InputStream in = decompressor(codec, new ByteArrayInputStream(packed.toByteArray()))) {
                back = in.readAllBytes();
            }
            c = c * 31 + packed.size();
            c = c * 31 + untar(back, files);
        }
        return c;
    }

    private static OutputStream compressor(int codec, OutputStream out) throws IOException {
        return switch (codec) {
            case 0 -> new BZip2CompressorOutputStream(out);
            // Snappy's LZ77 tuned for speed, as Snappy is meant to be used. No LZ4: Commons
            // Compress's LZ4 writer spent ~8 s a round here in its block bookkeeping
            // (BlockLZ4CompressorOutputStream.clearUnusedBlocks), whatever the tuning.
            default -> new FramedSnappyCompressorOutputStream(out, SnappyCompressorOutputStream
                    .createParameterBuilder(SnappyCompressorInputStream.DEFAULT_BLOCK_SIZE).tunedForSpeed().build());
        };
    }

    private static InputStream decompressor(int codec, InputStream in) throws IOException {
        return switch (codec) {
            case 0 -> new BZip2CompressorInputStream(in);
            default -> new FramedSnappyCompressorInputStream(in);
        };
    }

    static byte[] tar(byte[][] files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (int i = 0; i < files.length; i++) {
                TarArchiveEntry e = new TarArchiveEntry("dir" + (i % 7) + "/file" + i + ".txt");
                e.setSize(files[i].length);
                e.setModTime(1_700_000_000_000L);
                tar.putArchiveEntry(e);
                tar.write(files[i]);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** Unpacks and compares with the originals; returns a CRC of all the contents. */
    static long untar(byte[] archive, byte[][] files) throws IOException {
        CRC32 crc = new CRC32();
        int n = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(archive))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; n++) {
                byte[] b = tar.readAllBytes();
                if (!java.util.Arrays.equals(b, files[n])) {
                    throw new IllegalStateException("file " + e.getName() + " came back different");
                }
                crc.update(b);
            }
        }
        if (n != files.length) {
            throw new IllegalStateException(n + " files came back of " + files.length);
        }
        return crc.getValue();
    }

    /** Log-like text files of 2-20 KB: compressible, but not trivially. */
    static byte[][] files(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        String[] level = {"INFO", "WARN", "DEBUG", "ERROR"};
        String[] what = {"request served", "cache miss", "connection reset by peer", "retrying",
            "user logged in", "payment accepted", "queue drained", "timeout after"};
        byte[][] f = new byte[n][];
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            int size = r.nextInt(2_000, 20_000);
            while (sb.length() < size) {
                sb.append("2026-12-04T").append(r.nextInt(10, 24)).append(':').append(r.nextInt(10, 60))
                  .append(' ').append(level[r.nextInt(level.length)]).append(" [worker-").append(r.nextInt(16))
                  .append("] ").append(what[r.nextInt(what.length)]).append(" id=").append(r.nextLong(1L << 40))
                  .append(" ms=").append(r.nextInt(5000)).append('\n');
            }
            f[i] = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return f;
    }
}
