/*
 * Matrix products through cuBLAS (JCublas 12.6), used where libcublas.so.12 loads. Row-major
 * products map onto cuBLAS's column-major ones as Cᵀ = op(B)ᵀ · op(A)ᵀ: the operands swap places
 * and each keeps its storage. Mixed precision asks cuBLAS for bf16 tensor-core math on the fp32
 * tensors (CUBLAS_COMPUTE_32F_FAST_16BF: inputs rounded to bf16, fp32 accumulation); fp32 mode for
 * plain fp32 math.
 */
package dev.kanna.cuda;

import jcuda.Pointer;
import jcuda.cudaDataType;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasComputeType;
import jcuda.jcublas.cublasGemmAlgo;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

final class CublasGemm implements MatMul {

    private final Kernels kernels;
    private final boolean mixed;
    private final cublasHandle handle = new cublasHandle();

    /** Throws (UnsatisfiedLinkError, CudaException...) where cuBLAS cannot be loaded or initialised. */
    CublasGemm(CudaDevice device, Kernels kernels, boolean mixed) {
        this.kernels = kernels;
        this.mixed = mixed;
        device.bind();
        JCublas2.setExceptionsEnabled(true);
        JCublas2.cublasCreate(handle);
        JCublas2.cublasSetStream(handle, new cudaStream_t(device.stream));
    }

    @Override
    public String description() {
        return mixed ? "cuBLAS 12 (bf16 tensor cores on fp32 tensors, fp32 accumulation)" : "cuBLAS 12 (fp32)";
    }

    @Override
    public void gemm(DeviceBuffer c, DeviceBuffer a, DeviceBuffer b, DeviceBuffer bias, int m, int n, int k,
                     boolean aKMajor, boolean bKMajor, float alpha, float beta,
                     int batch, long strideA, long strideB, long strideC) {
        if (m == 0 || n == 0 || batch == 0) return;
        if (bias != null) {
            if (beta != 0f || batch != 1) throw new IllegalArgumentException("bias only with beta 0 and one product");
            kernels.launch("bias_broadcast", kernels.gridFor((long) m * n, 256), 1, 1, 256, 0, c, bias, m, n);
            beta = 1f;
        }
        int lda = aKMajor ? k : m, ldb = bKMajor ? k : n;
        int opB = bKMajor ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int opA = aKMajor ? cublasOperation.CUBLAS_OP_N : cublasOperation.CUBLAS_OP_T;
        int compute = mixed ? cublasComputeType.CUBLAS_COMPUTE_32F_FAST_16BF : cublasComputeType.CUBLAS_COMPUTE_32F;
        JCublas2.cublasGemmStridedBatchedEx(handle, opB, opA, n, m, k, Pointer.to(new float[]{alpha}),
                b.pointer(), cudaDataType.CUDA_R_32F, ldb, strideB,
                a.pointer(), cudaDataType.CUDA_R_32F, lda, strideA,
                Pointer.to(new float[]{beta}), c.pointer(), cudaDataType.CUDA_R_32F, n, strideC,
                batch, compute, cublasGemmAlgo.CUBLAS_GEMM_DEFAULT);
    }

    @Override
    public void close() {
        JCublas2.cublasDestroy(handle);
    }
}
