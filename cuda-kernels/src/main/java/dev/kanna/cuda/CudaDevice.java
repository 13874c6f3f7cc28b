/*
 * The GPU as the driver API sees it: probing (can this machine run the CUDA backend at all, and if
 * not, why, in one line), and an open device: its primary context, one stream, its properties.
 * Only the driver API is used (libJCudaDriver links libcuda.so.1 alone), so any driver new enough
 * for the PTX works, CUDA 13's included.
 */
package dev.kanna.cuda;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

public final class CudaDevice implements AutoCloseable {

    /** Device ordinal, from -Dkanna.cuda.device (default 0). */
    static int ordinal() {
        return Integer.getInteger("kanna.cuda.device", 0);
    }

    private static Optional<String> probed;

    /** Empty when a usable GPU is here; else one line saying why not. Never throws. */
    public static synchronized Optional<String> unavailableReason() {
        if (probed == null) probed = probe();
        return probed;
    }

    private static Optional<String> probe() {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
            int[] count = {0};
            cuDeviceGetCount(count);
            if (count[0] == 0) return Optional.of("no CUDA device found");
            int ordinal = ordinal();
            if (ordinal < 0 || ordinal >= count[0]) {
                return Optional.of("kanna.cuda.device=" + ordinal + " but only " + count[0] + " CUDA device(s) found");
            }
            CUdevice device = new CUdevice();
            cuDeviceGet(device, ordinal);
            int major = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
            int minor = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
            if (major < 8) {
                return Optional.of(name(device) + " has compute capability " + major + "." + minor
                        + "; the CUDA backend needs 8.0 or newer (bf16 tensor cores)");
            }
            return Optional.empty();
        } catch (Throwable t) {
            return Optional.of(oneLine(t));
        }
    }

    /** A short, single-line account of why loading or initialising the driver failed. */
    static String oneLine(Throwable t) {
        String all = String.valueOf(t);
        for (Throwable c = t; c != null; c = c.getCause()) all += " " + c.getMessage();
        if (all.contains("libcuda")) return "no NVIDIA driver (libcuda.so.1 not found)";
        if (all.contains("CUDA_ERROR_NO_DEVICE")) return "no CUDA device found";
        if (all.contains("CUDA_ERROR_INSUFFICIENT_DRIVER")) return "the NVIDIA driver is too old for this CUDA version";
        if (t instanceof UnsatisfiedLinkError || t instanceof NoClassDefFoundError) {
            return "the JCuda native library could not be loaded: " + firstLine(t.getMessage());
        }
        return "CUDA initialisation failed: " + firstLine(t.getClass().getSimpleName() + ": " + t.getMessage());
    }

    private static String firstLine(String s) {
        if (s == null) return "(no message)";
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    static int attribute(CUdevice device, int attribute) {
        int[] v = {0};
        cuDeviceGetAttribute(v, attribute, device);
        return v[0];
    }

    static String name(CUdevice device) {
        byte[] buf = new byte[256];
        cuDeviceGetName(buf, buf.length, device);
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- an open device

    final CUdevice device = new CUdevice();
    final CUcontext context = new CUcontext();
    final CUstream stream = new CUstream();
    final String name;
    final int major, minor, multiprocessors, maxSharedPerBlock, driverVersion;
    final long totalMemory;
    private final ThreadLocal<Boolean> bound = ThreadLocal.withInitial(() -> false);

    /** Opens the device: retains its primary context (shared with cuBLAS), creates one stream. */
    CudaDevice() {
        Optional<String> reason = unavailableReason();
        if (reason.isPresent()) throw new IllegalStateException("CUDA is not usable here: " + reason.get());
        cuDeviceGet(device, ordinal());
        cuDevicePrimaryCtxRetain(context, device);
        bind();
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        name = name(device);
        major = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        minor = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        multiprocessors = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        maxSharedPerBlock = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
        long[] mem = {0};
        cuDeviceTotalMem(mem, device);
        totalMemory = mem[0];
        int[] v = {0};
        cuDriverGetVersion(v);
        driverVersion = v[0];
    }

    /** Makes the context current on the calling thread (once per thread). */
    void bind() {
        if (!bound.get()) {
            cuCtxSetCurrent(context);
            bound.set(true);
        }
    }

    void synchronize() {
        bind();
        cuStreamSynchronize(stream);
    }

    String summary() {
        return String.format("%s (sm_%d%d, %d SMs, %.0f GiB, driver %d.%d)", name, major, minor, multiprocessors,
                totalMemory / (double) (1L << 30), driverVersion / 1000, (driverVersion % 1000) / 10);
    }

    @Override
    public void close() {
        bind();
        cuStreamSynchronize(stream);
        cuStreamDestroy(stream);
        cuDevicePrimaryCtxRelease(device);
    }
}
