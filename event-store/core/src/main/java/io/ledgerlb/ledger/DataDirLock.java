package io.ledgerlb.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive lock on a data folder (its embedded Kafka, its SQLite journal): one process at a
 * time opens them. A running allocator holds it for its whole life; a tool that finds it held
 * refuses instead of starting a second broker on a live {@code kafka/} folder. The lock is the
 * operating system's (released when the process dies, even by {@code kill -9}); the file only
 * names the holder for the message.
 */
public final class DataDirLock implements AutoCloseable {
    public static final String FILE_NAME = "ledgerlb.lock";

    /** The folder is locked by another process (or another ledger in this one). */
    public static final class InUseException extends RuntimeException {
        InUseException(String message) {
            super(message);
        }
    }

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock on {@code dataDir} (created when missing) without waiting.
     *
     * @param holder what takes it, e.g. "ledgerlb run", written into the lock file for others' messages
     * @throws InUseException when another process holds it
     */
    public static DataDirLock acquire(Path dataDir, String holder) {
        Path file = dataDir.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            Files.createDirectories(dataDir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) {
                String owner = Files.readString(file, StandardCharsets.UTF_8).strip();
                channel.close();
                throw new InUseException(dataDir.toAbsolutePath() + " is in use by another process"
                        + (owner.isEmpty() ? "" : " (" + owner + ")")
                        + ": stop it first, or ask it through its admin API (ledgerlb state|audit|snapshot use it when it answers)");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + ", " + holder + "\n")
                    .getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new DataDirLock(channel, lock);
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // reporting the first error
                }
            }
            throw new UncheckedIOException("cannot lock the data folder " + dataDir, e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
