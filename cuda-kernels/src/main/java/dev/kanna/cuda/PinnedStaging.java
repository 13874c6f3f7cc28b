/*
 * A page-locked host buffer for uploads and downloads: the driver copies from pinned memory by DMA
 * at full PCIe speed, where pageable memory would be staged through a driver buffer first. Transfers
 * larger than the buffer go through it in chunks.
 */
package dev.kanna.cuda;

import jcuda.Pointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;

final class PinnedStaging implements AutoCloseable {

    static final long MAX_BYTES = 32L << 20;

    private Pointer host;
    private ByteBuffer view;
    private long capacity;

    /** A view of at least `bytes` (≤ MAX_BYTES) pinned bytes, native byte order, position 0. */
    ByteBuffer buffer(long bytes) {
        if (bytes > capacity) {
            free();
            long size = Math.min(MAX_BYTES, Math.max(bytes, 1L << 20));
            host = new Pointer();
            cuMemAllocHost(host, size);
            capacity = size;
            view = host.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
        }
        view.clear();
        return view;
    }

    Pointer pointer() {
        return host;
    }

    private void free() {
        if (host != null) cuMemFreeHost(host);
        host = null;
        view = null;
        capacity = 0;
    }

    @Override
    public void close() {
        free();
    }
}
