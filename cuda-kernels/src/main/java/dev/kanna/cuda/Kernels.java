/*
 * Our PTX kernels on one device: loads the committed .ptx resources (one module per kernel family,
 * JIT-compiled by the driver for the GPU at hand, on first use), looks kernels up by name, and
 * launches them on the device's stream. Launch arguments are given as Java values: DeviceBuffer (a pointer), null (a null
 * pointer), Integer, Long, Float.
 */
package dev.kanna.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

public final class Kernels {

    /** The kernel families, one .cu/.ptx pair each. */
    static final String[] MODULES = {
        "elementwise", "activation", "layernorm", "softmax", "crossentropy", "adamw", "embedding", "attention", "gemm",
        "gemm_bf16", "gemm_sm90"
    };

    /** The module of Hopper-only kernels (compute_90a PTX): loadable on compute capability 9.0 alone. */
    static final String HOPPER_MODULE = "gemm_sm90";

    /** The module that holds a kernel, from the kernel's name (each family names its kernels alike). */
    static String moduleOf(String kernel) {
        if (kernel.startsWith("gemm_wg_")) return HOPPER_MODULE;
        if (kernel.startsWith("gemm_tc_bf16_") || kernel.startsWith("convert_") || kernel.equals("transpose_f32_bf16")) {
            return "gemm_bf16";
        }
        if (kernel.startsWith("gemm_") || kernel.startsWith("sgemm_")) return "gemm";
        if (kernel.startsWith("attn_")) return "attention";
        if (kernel.startsWith("act_")) return "activation";
        if (kernel.startsWith("layernorm_")) return "layernorm";
        if (kernel.startsWith("softmax_")) return "softmax";
        if (kernel.startsWith("cross_entropy")) return "crossentropy";
        if (kernel.startsWith("adamw_")) return "adamw";
        if (kernel.startsWith("embedding_") || kernel.startsWith("scatter_add_") || kernel.equals("gather_rows")) {
            return "embedding";
        }
        return "elementwise";
    }

    private static final int DEFAULT_SHARED_LIMIT = 48 * 1024;

    private final CudaDevice device;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Map<CUfunction, Integer> sharedLimit = new HashMap<>();

    /** Modules load on first use: the driver JIT-compiles each one then (and caches the result on disk). */
    Kernels(CudaDevice device) {
        this.device = device;
    }

    private CUmodule module(String name) {
        CUmodule module = modules.get(name);
        if (module != null) return module;
        module = new CUmodule();
        try {
            cuModuleLoadData(module, ptx(name));
        } catch (RuntimeException e) {
            throw new IllegalStateException("loading " + name + ".ptx on " + device.name + " failed: " + e.getMessage(), e);
        }
        modules.put(name, module);
        return module;
    }

    /** Whether this device can load the Hopper-only module (sm_90a code runs on 9.0 exactly). */
    boolean hopper() {
        return device.major == 9 && device.minor == 0;
    }

    /** Loads every module this device can run now (start-up cost up front, e.g. before timing). */
    void loadAll() {
        device.bind();
        synchronized (this) {
            for (String m : MODULES) if (!m.equals(HOPPER_MODULE) || hopper()) module(m);
        }
    }

    /** The PTX text of a module, NUL-terminated as cuModuleLoadData wants. */
    static byte[] ptx(String module) {
        String path = "/dev/kanna/cuda/" + module + ".ptx";
        try (InputStream in = Kernels.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing resource " + path + " (run cuda-kernels/build-ptx.sh)");
            byte[] text = in.readAllBytes();
            byte[] z = new byte[text.length + 1];
            System.arraycopy(text, 0, z, 0, text.length);
            return z;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized CUfunction function(String name) {
        CUfunction f = functions.get(name);
        if (f != null) return f;
        f = new CUfunction();
        try {
            cuModuleGetFunction(f, module(moduleOf(name)), name);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("no kernel named " + name + " in " + moduleOf(name) + ".ptx", e);
        }
        functions.put(name, f);
        return f;
    }

    private long launches;

    /** Kernel launches so far (benchmarks: launches per training step, host cost per launch). */
    public long launches() {
        return launches;
    }

    /** Launches name on a (gx, gy, gz) grid of 1-D blocks with sharedBytes of dynamic shared memory. */
    void launch(String name, int gx, int gy, int gz, int block, int sharedBytes, Object... args) {
        launches++;
        device.bind();
        CUfunction f = function(name);
        if (sharedBytes > DEFAULT_SHARED_LIMIT) raiseSharedLimit(f, name, sharedBytes);
        cuLaunchKernel(f, gx, gy, gz, block, 1, 1, sharedBytes, device.stream, parameters(args), null);
    }

    /** 2-D blocks (bx, by), for the column-sum and transpose kernels. */
    void launch2d(String name, int gx, int gy, int bx, int by, Object... args) {
        launches++;
        device.bind();
        cuLaunchKernel(function(name), gx, gy, 1, bx, by, 1, 0, device.stream, parameters(args), null);
    }

    private synchronized void raiseSharedLimit(CUfunction f, String name, int bytes) {
        if (sharedLimit.getOrDefault(f, DEFAULT_SHARED_LIMIT) >= bytes) return;
        if (bytes > device.maxSharedPerBlock) {
            throw new IllegalStateException(name + " needs " + bytes + " bytes of shared memory; " + device.name
                    + " allows " + device.maxSharedPerBlock);
        }
        cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
        sharedLimit.put(f, bytes);
    }

    private static Pointer parameters(Object[] args) {
        Pointer[] p = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            p[i] = switch (args[i]) {
                case null -> Pointer.to(new long[]{0L});
                case DeviceBuffer b -> Pointer.to(b.pointer());
                case CUdeviceptr d -> Pointer.to(d);
                case Integer v -> Pointer.to(new int[]{v});
                case Long v -> Pointer.to(new long[]{v});
                case Float v -> Pointer.to(new float[]{v});
                default -> throw new IllegalArgumentException("unsupported kernel argument " + args[i].getClass());
            };
        }
        return Pointer.to(p);
    }

    /** Blocks for a grid-stride loop over n elements: enough to fill the GPU, no more. */
    int gridFor(long n, int block) {
        long blocks = (n + block - 1) / block;
        return (int) Math.max(1, Math.min(blocks, (long) device.multiprocessors * 16));
    }

    void close() {
        device.bind();
        modules.values().forEach(m -> cuModuleUnload(m));
        modules.clear();
        functions.clear();
    }
}
