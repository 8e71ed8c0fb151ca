package io.ifpin.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An append-only file in memory on a "disk" of {@link #space} bytes: a write takes what fits and returns short, the
 * next one fails with "No space left on device", as write(2) does on a full file system. {@link #failTruncate} makes
 * truncate fail too.
 */
final class FakeFileChannel extends FileChannel {
    /** The file's bytes; kept across opens (see {@link #reopen}). */
    final ByteArrayOutputStream bytes;
    long space;
    boolean failTruncate;
    int writes;

    FakeFileChannel(long space) {
        this(new ByteArrayOutputStream(), space);
    }

    private FakeFileChannel(ByteArrayOutputStream bytes, long space) {
        this.bytes = bytes;
        this.space = space;
    }

    /** Another channel on the same bytes and disk (the file opened again). */
    FakeFileChannel reopen() {
        FakeFileChannel again = new FakeFileChannel(bytes, space);
        again.failTruncate = failTruncate;
        return again;
    }

    String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        writes++;
        long free = space - bytes.size();
        if (free <= 0 && src.hasRemaining()) {
            throw new IOException("No space left on device");
        }
        int n = (int) Math.min(free, src.remaining());
        byte[] chunk = new byte[n];
        src.get(chunk);
        bytes.write(chunk, 0, n);
        return n;
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        if (failTruncate) {
            throw new IOException("Input/output error");
        }
        if (size < bytes.size()) {
            byte[] kept = Arrays.copyOf(bytes.toByteArray(), (int) size);
            bytes.reset();
            bytes.write(kept, 0, kept.length);
        }
        return this;
    }

    @Override
    public long size() {
        return bytes.size();
    }

    @Override
    public int read(ByteBuffer dst, long position) {
        byte[] all = bytes.toByteArray();
        if (position >= all.length) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), all.length - position);
        dst.put(all, (int) position, n);
        return n;
    }

    @Override
    public int read(ByteBuffer dst) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long position() {
        return bytes.size();
    }

    @Override
    public FileChannel position(long newPosition) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void force(boolean metaData) {
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int write(ByteBuffer src, long position) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
        throw new UnsupportedOperationException();
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) {
        throw new UnsupportedOperationException();
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
        throw new UnsupportedOperationException();
    }

    @Override
    protected void implCloseChannel() {
    }
}
