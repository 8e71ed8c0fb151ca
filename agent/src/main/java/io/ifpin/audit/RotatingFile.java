package io.ifpin.audit;

import io.ifpin.log.SafeAppend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An append-only file of whole lines, rotated by size: when a line would take it past {@code maxSize}, {@code file}
 * becomes {@code file.1}, {@code file.1} becomes {@code file.2}, ..., and the oldest beyond {@code maxFiles} is
 * deleted. Used by one thread only.
 *
 * <p>Lines are buffered and written whole; when a write fails half-way (a full disk writes part of a buffer, then
 * fails with ENOSPC), the file is truncated back to its last complete line, so every line in it is a whole record.
 * A file that ends in a partial line when it is opened (a crash, a truncate that failed) is cut back the same way.
 */
final class RotatingFile implements AutoCloseable {

    /** Opens the file: for appending, and to read its end (O_APPEND excludes reading: one channel cannot do both). */
    interface Opener {
        FileChannel open(Path file) throws IOException;

        FileChannel openToRead(Path file) throws IOException;
    }

    /** The real files: {@link SafeAppend#open}. */
    static final Opener FILES = new Opener() {
        @Override
        public FileChannel open(Path file) throws IOException {
            return SafeAppend.open(file);
        }

        @Override
        public FileChannel openToRead(Path file) throws IOException {
            return FileChannel.open(file, StandardOpenOption.READ);
        }
    };

    private static final int BUFFER_SIZE = 64 * 1024;

    private final Path file;
    private final long maxSize;
    private final int maxFiles;
    private final Opener opener;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    private FileChannel channel;
    /** Bytes of whole lines in the file, the buffer not counted. */
    private long size;
    private int bufferedLines;
    private int discarded;

    RotatingFile(Path file, long maxSize, int maxFiles, Opener opener) {
        this.file = file;
        this.maxSize = maxSize;
        this.maxFiles = maxFiles;
        this.opener = opener;
    }

    Path path() {
        return file;
    }

    /** Opens the file unless it is open; cuts off a partial last line. */
    void open() throws IOException {
        if (channel != null) {
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent);
        }
        FileChannel opened = opener.open(file);
        try (FileChannel reader = opener.openToRead(file)) {
            size = lastCompleteLine(reader);
            if (opened.size() > size) {
                opened.truncate(size);
            }
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
        channel = opened;
    }

    boolean isOpen() {
        return channel != null;
    }

    /**
     * Adds one line (ending in a newline) to the buffer; writes the buffer first when the line does not fit, and
     * rotates first when the line would take the file past the limit. On an IOException this line is not written,
     * and neither are the buffered lines ({@link #takeDiscarded()} counts those), and the file ends in a whole line.
     */
    void write(byte[] line) throws IOException {
        if (size + buffer.position() > 0 && size + buffer.position() + line.length > maxSize) {
            flush();
            rotate();
        }
        if (line.length > buffer.remaining()) {
            flush();
        }
        if (line.length > buffer.capacity()) {
            writeWhole(ByteBuffer.wrap(line));
            return;
        }
        buffer.put(line);
        bufferedLines++;
    }

    /** Writes the buffered lines; on an IOException they are discarded (counted) and the file ends in a whole line. */
    void flush() throws IOException {
        if (buffer.position() == 0) {
            return;
        }
        ByteBuffer pending = ByteBuffer.wrap(buffer.array(), 0, buffer.position());
        int lines = bufferedLines;
        buffer.clear();
        bufferedLines = 0;
        try {
            writeWhole(pending);
        } catch (IOException | RuntimeException e) {
            discarded += lines;
            throw e;
        }
    }

    /** Buffered lines thrown away by failed writes since the last call. */
    int takeDiscarded() {
        int lines = discarded;
        discarded = 0;
        return lines;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            try {
                flush();
            } finally {
                FileChannel open = channel;
                channel = null;
                open.close();
            }
        }
    }

    /** Drops the channel after a failure that may have broken it; the next {@link #open} opens the file again. */
    void abandon() {
        discarded += bufferedLines;
        buffer.clear();
        bufferedLines = 0;
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // it failed already; what matters is that the next open starts afresh
            }
            channel = null;
        }
    }

    /** Writes all of {@code bytes} (whole lines) or, failing, truncates the file back to where it was. */
    private void writeWhole(ByteBuffer bytes) throws IOException {
        if (channel == null) {
            throw new IOException("the file is not open");
        }
        long before = size;
        int length = bytes.remaining();
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            size = before + length;
        } catch (IOException | RuntimeException e) {
            try {
                channel.truncate(before);
            } catch (IOException | RuntimeException truncateFailed) {
                e.addSuppressed(truncateFailed);
                abandon(); // opening it again cuts the partial line
            }
            throw e;
        }
    }

    private void rotate() throws IOException {
        FileChannel open = channel;
        channel = null;
        if (open != null) {
            open.close();
        }
        Files.deleteIfExists(numbered(maxFiles));
        for (int i = maxFiles - 1; i >= 1; i--) {
            Path from = numbered(i);
            if (Files.exists(from)) {
                Files.move(from, numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private Path numbered(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    /** The length of the file up to and including its last newline (0 when it has none). */
    static long lastCompleteLine(FileChannel channel) throws IOException {
        long end = channel.size();
        ByteBuffer chunk = ByteBuffer.allocate(4096);
        while (end > 0) {
            long start = Math.max(0, end - chunk.capacity());
            chunk.clear().limit((int) (end - start));
            int read = 0;
            while (chunk.hasRemaining()) {
                int n = channel.read(chunk, start + read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            for (int i = read - 1; i >= 0; i--) {
                if (chunk.get(i) == '\n') {
                    return start + i + 1;
                }
            }
            end = start;
        }
        return 0;
    }
}
