;; The WebAssembly SIMD kernels of @kairos/core (compiled into simd-kernels-binary.ts by
;; `pnpm --filter @kairos/core kernels`). Each one performs exactly the IEEE operations, in exactly the order,
;; of its JavaScript twin in dense.ts, so the two give bit-identical results and a decision never depends
;; on which of them ran.
(module
  (import "env" "memory" (memory 1))

  ;; x'·M·x for a symmetric row-major d×d M at byte offset $m (upper triangle read) and x at byte offset $x.
  ;; Per row i: t = 0.5·(x_i·M_ii), four partial sums over j > i (as two f64x2 lanes pairs: j ≡ 0,1 and
  ;; j ≡ 2,3 mod 4 from i + 1), the tail added to t; total += (2·x_i)·(t + ((s0 + s2) + (s1 + s3))).
  (func (export "quadraticForm") (param $m i32) (param $x i32) (param $d i32) (result f64)
    (local $i i32) (local $j i32) (local $row i32) (local $xi f64) (local $t f64) (local $total f64)
    (local $s01 v128) (local $s23 v128) (local $pair v128)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $d)))
        (local.set $xi (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))))
        (if (f64.ne (local.get $xi) (f64.const 0))
          (then
            (local.set $row
              (i32.add (local.get $m) (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 3))))
            (local.set $t
              (f64.mul (f64.const 0.5)
                (f64.mul (local.get $xi)
                  (f64.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 3)))))))
            (local.set $s01 (v128.const f64x2 0 0))
            (local.set $s23 (v128.const f64x2 0 0))
            (local.set $j (i32.add (local.get $i) (i32.const 1)))
            (block $quadsDone
              (loop $quads
                (br_if $quadsDone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $d)))
                (local.set $s01
                  (f64x2.add (local.get $s01)
                    (f64x2.mul
                      (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
                      (v128.load (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 3)))))))
                (local.set $s23
                  (f64x2.add (local.get $s23)
                    (f64x2.mul
                      (v128.load offset=16 (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
                      (v128.load offset=16 (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 3)))))))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $quads)))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $j) (local.get $d)))
                (local.set $t
                  (f64.add (local.get $t)
                    (f64.mul
                      (f64.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
                      (f64.load (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 3)))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $tail)))
            ;; (s0 + s2, s1 + s3), then their sum.
            (local.set $pair (f64x2.add (local.get $s01) (local.get $s23)))
            (local.set $total
              (f64.add (local.get $total)
                (f64.mul
                  (f64.mul (f64.const 2) (local.get $xi))
                  (f64.add (local.get $t)
                    (f64.add (f64x2.extract_lane 0 (local.get $pair)) (f64x2.extract_lane 1 (local.get $pair)))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (local.get $total))

  ;; out = M·x for a row-major d×d M: per row, partial sums s0..s3 over j ≡ 0..3 mod 4 (two f64x2 lanes
  ;; pairs), the tail added to s0, then (s0 + s2) + (s1 + s3), as matVec in dense.ts.
  (func (export "matVec") (param $m i32) (param $x i32) (param $out i32) (param $d i32)
    (local $i i32) (local $j i32) (local $row i32) (local $s01 v128) (local $s23 v128) (local $s0 f64)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $d)))
        (local.set $row
          (i32.add (local.get $m) (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 3))))
        (local.set $s01 (v128.const f64x2 0 0))
        (local.set $s23 (v128.const f64x2 0 0))
        (local.set $j (i32.const 0))
        (block $quadsDone
          (loop $quads
            (br_if $quadsDone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $d)))
            (local.set $s01
              (f64x2.add (local.get $s01)
                (f64x2.mul
                  (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
                  (v128.load (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 3)))))))
            (local.set $s23
              (f64x2.add (local.get $s23)
                (f64x2.mul
                  (v128.load offset=16 (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
                  (v128.load offset=16 (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 3)))))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $quads)))
        (local.set $s0 (f64x2.extract_lane 0 (local.get $s01)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $j) (local.get $d)))
            (local.set $s0
              (f64.add (local.get $s0)
                (f64.mul
                  (f64.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
                  (f64.load (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 3)))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $tail)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
          (f64.add
            (f64.add (local.get $s0) (f64x2.extract_lane 0 (local.get $s23)))
            (f64.add (f64x2.extract_lane 1 (local.get $s01)) (f64x2.extract_lane 1 (local.get $s23)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; M += f·u·u' for a symmetric row-major d×d M, each product (f·u_i)·u_j computed once (two at a time)
  ;; and added in both triangles, as addOuter in dense.ts; with −f, subtractOuter to the bit (negation is
  ;; exact and m + (−v) is m − v).
  (func (export "addOuter") (param $m i32) (param $u i32) (param $f f64) (param $d i32)
    (local $i i32) (local $j i32) (local $row i32) (local $ui f64) (local $uis v128) (local $v v128)
    (local $at i32) (local $col i32) (local $s f64)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $d)))
        (local.set $ui
          (f64.mul (local.get $f) (f64.load (i32.add (local.get $u) (i32.shl (local.get $i) (i32.const 3))))))
        (if (f64.ne (local.get $ui) (f64.const 0))
          (then
            (local.set $row
              (i32.add (local.get $m) (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 3))))
            ;; the diagonal
            (local.set $at (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 3))))
            (f64.store (local.get $at)
              (f64.add (f64.load (local.get $at))
                (f64.mul (local.get $ui)
                  (f64.load (i32.add (local.get $u) (i32.shl (local.get $i) (i32.const 3)))))))
            (local.set $uis (f64x2.splat (local.get $ui)))
            (local.set $j (i32.add (local.get $i) (i32.const 1)))
            ;; column i of row j sits at m + 8·(j·d + i)
            (local.set $col
              (i32.add (local.get $m)
                (i32.shl (i32.add (i32.mul (local.get $j) (local.get $d)) (local.get $i)) (i32.const 3))))
            (block $pairsDone
              (loop $pairs
                (br_if $pairsDone (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $d)))
                (local.set $v
                  (f64x2.mul (local.get $uis)
                    (v128.load (i32.add (local.get $u) (i32.shl (local.get $j) (i32.const 3))))))
                (local.set $at (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
                (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $v)))
                (f64.store (local.get $col)
                  (f64.add (f64.load (local.get $col)) (f64x2.extract_lane 0 (local.get $v))))
                (local.set $col (i32.add (local.get $col) (i32.shl (local.get $d) (i32.const 3))))
                (f64.store (local.get $col)
                  (f64.add (f64.load (local.get $col)) (f64x2.extract_lane 1 (local.get $v))))
                (local.set $col (i32.add (local.get $col) (i32.shl (local.get $d) (i32.const 3))))
                (local.set $j (i32.add (local.get $j) (i32.const 2)))
                (br $pairs)))
            (if (i32.lt_u (local.get $j) (local.get $d))
              (then
                (local.set $s
                  (f64.mul (local.get $ui)
                    (f64.load (i32.add (local.get $u) (i32.shl (local.get $j) (i32.const 3))))))
                (local.set $at (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
                (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $s)))
                (f64.store (local.get $col) (f64.add (f64.load (local.get $col)) (local.get $s)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))
)
