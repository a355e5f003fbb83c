// A C replica of the MLP training step's cache behaviour (784-256-256-10, batch 128): the step's eight
// cblas_sgemm calls, then the AVX-512 Adam update (the same operations as Sources/CVectorKernels) over the six
// parameters, timed on the CPU clock; the same with software prefetch 1-4 KB ahead; each parameter updated right
// after its weight-gradient GEMM (the update fused into the backward pass); and the update alone, repeated.
// Used for the analysis in docs/benchmarks.md ("what stands between the MLP and 0.9"). Build and run:
//   clang -O2 bench/adam_cache_replica.c -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas -lm -o /tmp/replica
//   env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 /tmp/replica
// Needs an x86-64 processor with AVX-512F.
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>
#pragma clang fp contract(off)
typedef struct { float shrink,l2,b1c,b2,b2c,step,eps; } C;
__attribute__((target("avx512f"))) static void adam(const float*theta,const float*gradient,float*m,float*v,float*out,long count,C c,int pf){
 const __m512 shrink=_mm512_set1_ps(c.shrink),l2=_mm512_set1_ps(c.l2),b1c=_mm512_set1_ps(c.b1c),b2=_mm512_set1_ps(c.b2),b2c=_mm512_set1_ps(c.b2c),step=_mm512_set1_ps(c.step),eps=_mm512_set1_ps(c.eps);
 long i=0; for(;i+16<=count;i+=16){
  if(pf){ _mm_prefetch((const char*)(theta+i+pf),_MM_HINT_T0);_mm_prefetch((const char*)(gradient+i+pf),_MM_HINT_T0);_mm_prefetch((const char*)(m+i+pf),_MM_HINT_T0);_mm_prefetch((const char*)(v+i+pf),_MM_HINT_T0);}
  __m512 p=_mm512_mul_ps(_mm512_loadu_ps(theta+i),shrink); __m512 g=_mm512_add_ps(_mm512_loadu_ps(gradient+i),_mm512_mul_ps(l2,p));
  __m512 mi=_mm512_loadu_ps(m+i),vi=_mm512_loadu_ps(v+i); mi=_mm512_add_ps(mi,_mm512_mul_ps(b1c,_mm512_sub_ps(g,mi)));
  vi=_mm512_add_ps(_mm512_mul_ps(vi,b2),_mm512_mul_ps(_mm512_mul_ps(b2c,g),g)); __m512 d=_mm512_add_ps(_mm512_sqrt_ps(vi),eps);
  _mm512_storeu_ps(m+i,mi);_mm512_storeu_ps(v+i,vi);_mm512_storeu_ps(out+i,_mm512_sub_ps(p,_mm512_mul_ps(step,_mm512_div_ps(mi,d))));}
}
static double now(){struct timespec t;clock_gettime(CLOCK_PROCESS_CPUTIME_ID,&t);return t.tv_sec+t.tv_nsec*1e-9;}
float* mk(long n){float*p=aligned_alloc(64,n*4);for(long i=0;i<n;i++)p[i]=(float)rand()/(float)RAND_MAX*0.01f;return p;}
int main(int argc,char**argv){
 long sizes[]={200704,256,65536,256,2560,10}; int np=6; long total=0; for(int k=0;k<np;k++)total+=sizes[k];
 float *th[6],*gr[6],*mm[6],*vv[6];
 for(int k=0;k<np;k++){th[k]=mk(sizes[k]);gr[k]=mk(sizes[k]);mm[k]=mk(sizes[k]);vv[k]=mk(sizes[k]);}
 // GEMMs of the MLP step (forward + backward), 128 batch
 float *X=mk(128*784),*H1=mk(128*256),*H2=mk(128*256),*O=mk(128*10),*W1=mk(256*784),*W2=mk(256*256),*W3=mk(10*256),*D1=mk(256*784);
 C c={1,0,0.1f,0.999f,0.001f,1e-3f,1e-8f};
 int pfs[]={0,256,512,1024};
 for(int rep=0;rep<3;rep++){ double tt=0; int N=400;
  for(int it=0;it<N;it++){ double t0=now();
   cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,128,256,784,1,X,784,W1,784,0,H1,256);
   cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,128,256,256,1,H1,256,W2,256,0,H2,256);
   cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,128,10,256,1,H2,256,W3,256,0,O,10);
   cblas_sgemm(CblasRowMajor,CblasTrans,CblasNoTrans,10,256,128,1,O,10,H2,256,0,gr[4],256);
   adam(th[4],gr[4],mm[4],vv[4],th[4],sizes[4],c,0); adam(th[5],gr[5],mm[5],vv[5],th[5],sizes[5],c,0);
   cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,128,256,10,1,O,10,W3,256,0,H2,256);
   cblas_sgemm(CblasRowMajor,CblasTrans,CblasNoTrans,256,256,128,1,H2,256,H1,256,0,gr[2],256);
   adam(th[2],gr[2],mm[2],vv[2],th[2],sizes[2],c,0); adam(th[3],gr[3],mm[3],vv[3],th[3],sizes[3],c,0);
   cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,128,256,256,1,H2,256,W2,256,0,H1,256);
   cblas_sgemm(CblasRowMajor,CblasTrans,CblasNoTrans,256,784,128,1,H1,256,X,784,0,gr[0],784);
   adam(th[0],gr[0],mm[0],vv[0],th[0],sizes[0],c,0); adam(th[1],gr[1],mm[1],vv[1],th[1],sizes[1],c,0);
   tt+=now()-t0;}
  printf("fused: step %.1f us\n",tt/N*1e6);}

 for(int rep=0;rep<3;rep++) for(int q=0;q<4;q++){int pf=pfs[q]; double ta=0,tg=0; int N=400;
  for(int it=0;it<N;it++){ double t0=now();
   cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,128,256,784,1,X,784,W1,784,0,H1,256);
   cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,128,256,256,1,H1,256,W2,256,0,H2,256);
   cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,128,10,256,1,H2,256,W3,256,0,O,10);
   cblas_sgemm(CblasRowMajor,CblasTrans,CblasNoTrans,10,256,128,1,O,10,H2,256,0,gr[4],256);
   cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,128,256,10,1,O,10,W3,256,0,H2,256);
   cblas_sgemm(CblasRowMajor,CblasTrans,CblasNoTrans,256,256,128,1,H2,256,H1,256,0,gr[2],256);
   cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,128,256,256,1,H2,256,W2,256,0,H1,256);
   cblas_sgemm(CblasRowMajor,CblasTrans,CblasNoTrans,256,784,128,1,H1,256,X,784,0,gr[0],784);
   double t1=now();
   for(int k=0;k<np;k++) adam(th[k],gr[k],mm[k],vv[k],th[k],sizes[k],c,pf);
   double t2=now(); tg+=t1-t0; ta+=t2-t1;}
  printf("pf=%4d gemm %.1f us adam %.1f us\n",pf,tg/N*1e6,ta/N*1e6);}
 // adam alone (no gemm in between)
 for(int q=0;q<2;q++){int pf=pfs[q]; double t0=now(); for(int it=0;it<400;it++) for(int k=0;k<np;k++) adam(th[k],gr[k],mm[k],vv[k],th[k],sizes[k],c,pf); printf("alone pf=%d %.1f us\n",pf,(now()-t0)/400*1e6);}
}
