/*
 * Times work queued on a CUDA backend's stream with device events (host clocks would measure only
 * the queueing): start(), queue the work, stopMillis() waits for it and returns the elapsed time.
 */
package dev.kanna.cuda;

import jcuda.driver.CUevent;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

public final class GpuTimer implements AutoCloseable {
    private final CudaDevice device;
    private final CUevent start = new CUevent(), stop = new CUevent();

    public GpuTimer(CudaBackend backend) {
        this.device = backend.device();
        device.bind();
        cuEventCreate(start, 0);
        cuEventCreate(stop, 0);
    }

    public void start() {
        device.bind();
        cuEventRecord(start, device.stream);
    }

    public float stopMillis() {
        device.bind();
        cuEventRecord(stop, device.stream);
        cuEventSynchronize(stop);
        float[] ms = {0f};
        cuEventElapsedTime(ms, start, stop);
        return ms[0];
    }

    @Override
    public void close() {
        cuEventDestroy(start);
        cuEventDestroy(stop);
    }
}
