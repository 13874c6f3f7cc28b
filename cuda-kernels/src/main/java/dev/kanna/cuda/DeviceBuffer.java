/*
 * Device memory behind a Tensor on the CUDA backend: one cuMemAlloc'd allocation, its size, and its
 * device address as a number (what a kernel argument slot holds; Kernels writes it directly).
 * Tensors never share a DeviceBuffer at an offset (views reuse the whole buffer), so kernels always
 * receive base pointers.
 */
package dev.kanna.cuda;

import jcuda.driver.CUdeviceptr;

public record DeviceBuffer(CUdeviceptr pointer, long bytes, long address) {
}
