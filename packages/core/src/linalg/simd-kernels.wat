;; The WebAssembly SIMD kernels of @kairos/core (compiled into simd-kernels-binary.ts by
;; `pnpm --filter @kairos/core kernels`). Each one performs exactly the IEEE operations, in exactly the order,
;; of its JavaScript twin in dense.ts, so the two give bit-identical results and a decision never depends
;; on which of them ran.
(module
  (import "env" "memory" (memory 1))

  ;; x'·M·x for a symmetric row-major d×d M at byte offset $m (upper triangle read) and x at byte offset $x.
  ;; Per row i: t = 0.5·(x_i·M_ii), four partial sums over j > i (as two f64x2 lanes pairs: j ≡ 0,1 and
  ;; j ≡ 2,3 mod 4 from i + 1), the tail added to t; total += (2·x_i)·(t + ((s0 + s2) + (s1 + s3))).
  (func $quadraticForm (export "quadraticForm") (param $m i32) (param $x i32) (param $d i32) (result f64)
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

  ;; x'·M·x and y'·M·y (into the f64s at $outX and $outY) in one pass over M: for each context exactly the
  ;; operations of $quadraticForm in its order (a row whose x_i is 0 is computed but not added, which
  ;; leaves the total as skipping it does), each of M's pairs loaded once for both.
  (func $quadraticForms2
    (param $m i32) (param $x i32) (param $y i32) (param $d i32) (param $outX i32) (param $outY i32)
    (local $i i32) (local $j i32) (local $row i32) (local $at i32) (local $mii f64) (local $m01 v128)
    (local $m23 v128) (local $xi f64) (local $yi f64) (local $tx f64) (local $ty f64) (local $totalX f64)
    (local $totalY f64) (local $x01 v128) (local $x23 v128) (local $y01 v128) (local $y23 v128) (local $mij f64)
    (local $pair v128)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $d)))
        (local.set $at (i32.shl (local.get $i) (i32.const 3)))
        (local.set $xi (f64.load (i32.add (local.get $x) (local.get $at))))
        (local.set $yi (f64.load (i32.add (local.get $y) (local.get $at))))
        (if (i32.or (f64.ne (local.get $xi) (f64.const 0)) (f64.ne (local.get $yi) (f64.const 0)))
          (then
            (local.set $row
              (i32.add (local.get $m) (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 3))))
            (local.set $mii (f64.load (i32.add (local.get $row) (local.get $at))))
            (local.set $tx (f64.mul (f64.const 0.5) (f64.mul (local.get $xi) (local.get $mii))))
            (local.set $ty (f64.mul (f64.const 0.5) (f64.mul (local.get $yi) (local.get $mii))))
            (local.set $x01 (v128.const f64x2 0 0))
            (local.set $x23 (v128.const f64x2 0 0))
            (local.set $y01 (v128.const f64x2 0 0))
            (local.set $y23 (v128.const f64x2 0 0))
            (local.set $j (i32.add (local.get $i) (i32.const 1)))
            (block $quadsDone
              (loop $quads
                (br_if $quadsDone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $d)))
                (local.set $at (i32.shl (local.get $j) (i32.const 3)))
                (local.set $m01 (v128.load (i32.add (local.get $row) (local.get $at))))
                (local.set $m23 (v128.load offset=16 (i32.add (local.get $row) (local.get $at))))
                (local.set $x01
                  (f64x2.add (local.get $x01)
                    (f64x2.mul (local.get $m01) (v128.load (i32.add (local.get $x) (local.get $at))))))
                (local.set $x23
                  (f64x2.add (local.get $x23)
                    (f64x2.mul (local.get $m23) (v128.load offset=16 (i32.add (local.get $x) (local.get $at))))))
                (local.set $y01
                  (f64x2.add (local.get $y01)
                    (f64x2.mul (local.get $m01) (v128.load (i32.add (local.get $y) (local.get $at))))))
                (local.set $y23
                  (f64x2.add (local.get $y23)
                    (f64x2.mul (local.get $m23) (v128.load offset=16 (i32.add (local.get $y) (local.get $at))))))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $quads)))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $j) (local.get $d)))
                (local.set $at (i32.shl (local.get $j) (i32.const 3)))
                (local.set $mij (f64.load (i32.add (local.get $row) (local.get $at))))
                (local.set $tx
                  (f64.add (local.get $tx) (f64.mul (local.get $mij) (f64.load (i32.add (local.get $x) (local.get $at))))))
                (local.set $ty
                  (f64.add (local.get $ty) (f64.mul (local.get $mij) (f64.load (i32.add (local.get $y) (local.get $at))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $tail)))
            (if (f64.ne (local.get $xi) (f64.const 0))
              (then
                (local.set $pair (f64x2.add (local.get $x01) (local.get $x23)))
                (local.set $totalX
                  (f64.add (local.get $totalX)
                    (f64.mul
                      (f64.mul (f64.const 2) (local.get $xi))
                      (f64.add (local.get $tx)
                        (f64.add (f64x2.extract_lane 0 (local.get $pair)) (f64x2.extract_lane 1 (local.get $pair)))))))))
            (if (f64.ne (local.get $yi) (f64.const 0))
              (then
                (local.set $pair (f64x2.add (local.get $y01) (local.get $y23)))
                (local.set $totalY
                  (f64.add (local.get $totalY)
                    (f64.mul
                      (f64.mul (f64.const 2) (local.get $yi))
                      (f64.add (local.get $ty)
                        (f64.add (f64x2.extract_lane 0 (local.get $pair)) (f64x2.extract_lane 1 (local.get $pair)))))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (f64.store (local.get $outX) (local.get $totalX))
    (f64.store (local.get $outY) (local.get $totalY)))

  ;; x'·M·x for four contexts at once, lane by lane exactly the operations of $quadraticForm in its order:
  ;; the contexts are columns of a transposed block (x_r,i at $xt + i·$stride + 8r), so each M_ij is loaded
  ;; once and splat for all four, and the short tails of the rows run as vectors too. A lane whose x_i is
  ;; 0 computes row i but does not add it, which leaves its total as skipping the row does. The four
  ;; totals go to $out + r·$step.
  (func $quadraticForms4
    (param $m i32) (param $xt i32) (param $stride i32) (param $d i32) (param $out i32) (param $step i32)
    (local $i i32) (local $j i32) (local $row i32) (local $col i32) (local $mij v128)
    (local $xa v128) (local $xb v128) (local $ta v128) (local $tb v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $totalA v128) (local $totalB v128)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $d)))
        (local.set $col (i32.add (local.get $xt) (i32.mul (local.get $i) (local.get $stride))))
        (local.set $xa (v128.load (local.get $col)))
        (local.set $xb (v128.load offset=16 (local.get $col)))
        (if (v128.any_true
              (v128.or (f64x2.ne (local.get $xa) (v128.const f64x2 0 0))
                (f64x2.ne (local.get $xb) (v128.const f64x2 0 0))))
          (then
            (local.set $row
              (i32.add (local.get $m) (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 3))))
            (local.set $mij (v128.load64_splat (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 3)))))
            (local.set $ta
              (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $xa) (local.get $mij))))
            (local.set $tb
              (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $xb) (local.get $mij))))
            (local.set $a0 (v128.const f64x2 0 0))
            (local.set $a1 (v128.const f64x2 0 0))
            (local.set $a2 (v128.const f64x2 0 0))
            (local.set $a3 (v128.const f64x2 0 0))
            (local.set $b0 (v128.const f64x2 0 0))
            (local.set $b1 (v128.const f64x2 0 0))
            (local.set $b2 (v128.const f64x2 0 0))
            (local.set $b3 (v128.const f64x2 0 0))
            (local.set $j (i32.add (local.get $i) (i32.const 1)))
            (local.set $col (i32.add (local.get $col) (local.get $stride)))
            (block $quadsDone
              (loop $quads
                (br_if $quadsDone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $d)))
                (local.set $mij (v128.load64_splat (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3)))))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $mij) (v128.load (local.get $col)))))
                (local.set $b0
                  (f64x2.add (local.get $b0) (f64x2.mul (local.get $mij) (v128.load offset=16 (local.get $col)))))
                (local.set $col (i32.add (local.get $col) (local.get $stride)))
                (local.set $mij
                  (v128.load64_splat offset=8 (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3)))))
                (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $mij) (v128.load (local.get $col)))))
                (local.set $b1
                  (f64x2.add (local.get $b1) (f64x2.mul (local.get $mij) (v128.load offset=16 (local.get $col)))))
                (local.set $col (i32.add (local.get $col) (local.get $stride)))
                (local.set $mij
                  (v128.load64_splat offset=16 (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3)))))
                (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $mij) (v128.load (local.get $col)))))
                (local.set $b2
                  (f64x2.add (local.get $b2) (f64x2.mul (local.get $mij) (v128.load offset=16 (local.get $col)))))
                (local.set $col (i32.add (local.get $col) (local.get $stride)))
                (local.set $mij
                  (v128.load64_splat offset=24 (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3)))))
                (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $mij) (v128.load (local.get $col)))))
                (local.set $b3
                  (f64x2.add (local.get $b3) (f64x2.mul (local.get $mij) (v128.load offset=16 (local.get $col)))))
                (local.set $col (i32.add (local.get $col) (local.get $stride)))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $quads)))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $j) (local.get $d)))
                (local.set $mij (v128.load64_splat (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3)))))
                (local.set $ta (f64x2.add (local.get $ta) (f64x2.mul (local.get $mij) (v128.load (local.get $col)))))
                (local.set $tb
                  (f64x2.add (local.get $tb) (f64x2.mul (local.get $mij) (v128.load offset=16 (local.get $col)))))
                (local.set $col (i32.add (local.get $col) (local.get $stride)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $tail)))
            ;; total += (2·x_i)·(t + ((s0 + s2) + (s1 + s3))) in the lanes whose x_i is not 0.
            (local.set $totalA
              (v128.bitselect
                (f64x2.add (local.get $totalA)
                  (f64x2.mul (f64x2.mul (v128.const f64x2 2 2) (local.get $xa))
                    (f64x2.add (local.get $ta)
                      (f64x2.add (f64x2.add (local.get $a0) (local.get $a2)) (f64x2.add (local.get $a1) (local.get $a3))))))
                (local.get $totalA)
                (f64x2.ne (local.get $xa) (v128.const f64x2 0 0))))
            (local.set $totalB
              (v128.bitselect
                (f64x2.add (local.get $totalB)
                  (f64x2.mul (f64x2.mul (v128.const f64x2 2 2) (local.get $xb))
                    (f64x2.add (local.get $tb)
                      (f64x2.add (f64x2.add (local.get $b0) (local.get $b2)) (f64x2.add (local.get $b1) (local.get $b3))))))
                (local.get $totalB)
                (f64x2.ne (local.get $xb) (v128.const f64x2 0 0))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (f64.store (local.get $out) (f64x2.extract_lane 0 (local.get $totalA)))
    (f64.store (i32.add (local.get $out) (local.get $step)) (f64x2.extract_lane 1 (local.get $totalA)))
    (f64.store (i32.add (local.get $out) (i32.shl (local.get $step) (i32.const 1))) (f64x2.extract_lane 0 (local.get $totalB)))
    (f64.store (i32.add (local.get $out) (i32.mul (local.get $step) (i32.const 3))) (f64x2.extract_lane 1 (local.get $totalB))))

  ;; v·x for four contexts at once (columns of a transposed block, as in $quadraticForms4), lane by lane
  ;; exactly the operations of $dot: partial sums over j ≡ 0..3 mod 4, the tail added to the first, then
  ;; (s0 + s2) + (s1 + s3). The four results go to $out + r·$step.
  (func $dots4
    (param $v i32) (param $xt i32) (param $stride i32) (param $d i32) (param $out i32) (param $step i32)
    (local $j i32) (local $col i32) (local $vj v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local.set $col (local.get $xt))
    (block $quadsDone
      (loop $quads
        (br_if $quadsDone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $d)))
        (local.set $vj (v128.load64_splat (i32.add (local.get $v) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $vj) (v128.load (local.get $col)))))
        (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $vj) (v128.load offset=16 (local.get $col)))))
        (local.set $col (i32.add (local.get $col) (local.get $stride)))
        (local.set $vj (v128.load64_splat offset=8 (i32.add (local.get $v) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $vj) (v128.load (local.get $col)))))
        (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (local.get $vj) (v128.load offset=16 (local.get $col)))))
        (local.set $col (i32.add (local.get $col) (local.get $stride)))
        (local.set $vj (v128.load64_splat offset=16 (i32.add (local.get $v) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $vj) (v128.load (local.get $col)))))
        (local.set $b2 (f64x2.add (local.get $b2) (f64x2.mul (local.get $vj) (v128.load offset=16 (local.get $col)))))
        (local.set $col (i32.add (local.get $col) (local.get $stride)))
        (local.set $vj (v128.load64_splat offset=24 (i32.add (local.get $v) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $vj) (v128.load (local.get $col)))))
        (local.set $b3 (f64x2.add (local.get $b3) (f64x2.mul (local.get $vj) (v128.load offset=16 (local.get $col)))))
        (local.set $col (i32.add (local.get $col) (local.get $stride)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $quads)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $j) (local.get $d)))
        (local.set $vj (v128.load64_splat (i32.add (local.get $v) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $vj) (v128.load (local.get $col)))))
        (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $vj) (v128.load offset=16 (local.get $col)))))
        (local.set $col (i32.add (local.get $col) (local.get $stride)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $tail)))
    (local.set $a0 (f64x2.add (f64x2.add (local.get $a0) (local.get $a2)) (f64x2.add (local.get $a1) (local.get $a3))))
    (local.set $b0 (f64x2.add (f64x2.add (local.get $b0) (local.get $b2)) (f64x2.add (local.get $b1) (local.get $b3))))
    (f64.store (local.get $out) (f64x2.extract_lane 0 (local.get $a0)))
    (f64.store (i32.add (local.get $out) (local.get $step)) (f64x2.extract_lane 1 (local.get $a0)))
    (f64.store (i32.add (local.get $out) (i32.shl (local.get $step) (i32.const 1))) (f64x2.extract_lane 0 (local.get $b0)))
    (f64.store (i32.add (local.get $out) (i32.mul (local.get $step) (i32.const 3))) (f64x2.extract_lane 1 (local.get $b0))))

  ;; For k < $count and r < $rows: out[2·$count·r + k] = x_r'·M_k·x_r and out[2·$count·r + $count + k] =
  ;; v_k·x_r, where M_k is at the byte offset held by the i32 at $table + 4k, v_k the d numbers right after
  ;; it (a linear unit's A⁻¹ and θ): the widths² and means of a model's units for one context or a batch,
  ;; each number as quadraticForm and dot in dense.ts give it. The first 4·floor($rows/4) contexts are the
  ;; columns of a transposed block at $xs (x_r,i at $xs + 8·(i·4·floor($rows/4) + r)), taken four at a time; the
  ;; last $rows mod 4 follow it row by row (x_r at 8·d·r further on), taken two at a time, then one. Each
  ;; matrix is read for every context while it is in cache.
  (func (export "posteriors")
    (param $table i32) (param $count i32) (param $xs i32) (param $rows i32) (param $d i32) (param $out i32)
    (local $k i32) (local $r i32) (local $m i32) (local $v i32) (local $x i32) (local $at i32)
    (local $rowBytes i32) (local $step i32) (local $fours i32) (local $stride i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    ;; Bytes from one row's results to the next.
    (local.set $step (i32.shl (local.get $count) (i32.const 4)))
    (local.set $fours (i32.and (local.get $rows) (i32.const -4)))
    (local.set $stride (i32.shl (local.get $fours) (i32.const 3)))
    (block $done
      (loop $matrices
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $m (i32.load (i32.add (local.get $table) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $v (i32.add (local.get $m) (i32.shl (i32.mul (local.get $d) (local.get $d)) (i32.const 3))))
        (local.set $r (i32.const 0))
        (local.set $at (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))))
        (block $foursDone
          (loop $fourLoop
            (br_if $foursDone (i32.ge_u (local.get $r) (local.get $fours)))
            (local.set $x (i32.add (local.get $xs) (i32.shl (local.get $r) (i32.const 3))))
            (call $quadraticForms4 (local.get $m) (local.get $x) (local.get $stride) (local.get $d)
              (local.get $at) (local.get $step))
            (call $dots4 (local.get $v) (local.get $x) (local.get $stride) (local.get $d)
              (i32.add (local.get $at) (i32.shl (local.get $count) (i32.const 3))) (local.get $step))
            (local.set $at (i32.add (local.get $at) (i32.shl (local.get $step) (i32.const 2))))
            (local.set $r (i32.add (local.get $r) (i32.const 4)))
            (br $fourLoop)))
        (local.set $x (i32.add (local.get $xs) (i32.mul (local.get $stride) (local.get $d))))
        ;; The rest two rows at a time, then the last one alone.
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.gt_u (i32.add (local.get $r) (i32.const 2)) (local.get $rows)))
            (call $quadraticForms2 (local.get $m) (local.get $x) (i32.add (local.get $x) (local.get $rowBytes))
              (local.get $d) (local.get $at) (i32.add (local.get $at) (local.get $step)))
            (f64.store (i32.add (local.get $at) (i32.shl (local.get $count) (i32.const 3)))
              (call $dot (local.get $v) (local.get $x) (local.get $d)))
            (f64.store
              (i32.add (i32.add (local.get $at) (local.get $step)) (i32.shl (local.get $count) (i32.const 3)))
              (call $dot (local.get $v) (i32.add (local.get $x) (local.get $rowBytes)) (local.get $d)))
            (local.set $x (i32.add (local.get $x) (i32.shl (local.get $rowBytes) (i32.const 1))))
            (local.set $at (i32.add (local.get $at) (i32.shl (local.get $step) (i32.const 1))))
            (local.set $r (i32.add (local.get $r) (i32.const 2)))
            (br $pairs)))
        (if (i32.lt_u (local.get $r) (local.get $rows))
          (then
            (f64.store (local.get $at) (call $quadraticForm (local.get $m) (local.get $x) (local.get $d)))
            (f64.store (i32.add (local.get $at) (i32.shl (local.get $count) (i32.const 3)))
              (call $dot (local.get $v) (local.get $x) (local.get $d)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $matrices))))

  ;; One observation (x, reward r, weight w) of a linear unit whose Gram matrix A is followed by its target b
  ;; and whose inverse P = A⁻¹ is followed by its coefficients θ, as learnObservation in dense.ts: A += w·x·x',
  ;; b += (w·r)·x, u = P·x (into $u), f = w / (1 + w·(x·u)), θ += (w·r)·u − (f·u)·(u·b), P −= f·u·u'.
  (func (export "learnObservation")
    (param $gram i32) (param $inverse i32) (param $x i32) (param $w f64) (param $r f64) (param $d i32) (param $u i32)
    (local $i i32) (local $at i32) (local $target i32) (local $theta i32) (local $wr f64) (local $f f64) (local $ub f64)
    (local $ui f64)
    (local.set $target (i32.add (local.get $gram) (i32.shl (i32.mul (local.get $d) (local.get $d)) (i32.const 3))))
    (local.set $theta (i32.add (local.get $inverse) (i32.shl (i32.mul (local.get $d) (local.get $d)) (i32.const 3))))
    (local.set $wr (f64.mul (local.get $w) (local.get $r)))
    (call $addOuter (local.get $gram) (local.get $x) (local.get $w) (local.get $d))
    (block $targetDone
      (loop $targetLoop
        (br_if $targetDone (i32.ge_u (local.get $i) (local.get $d)))
        (local.set $at (i32.add (local.get $target) (i32.shl (local.get $i) (i32.const 3))))
        (f64.store (local.get $at)
          (f64.add (f64.load (local.get $at))
            (f64.mul (local.get $wr) (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $targetLoop)))
    (call $matVec (local.get $inverse) (local.get $x) (local.get $u) (local.get $d))
    (local.set $f
      (f64.div (local.get $w)
        (f64.add (f64.const 1) (f64.mul (local.get $w) (call $dot (local.get $x) (local.get $u) (local.get $d))))))
    (local.set $ub (call $dot (local.get $u) (local.get $target) (local.get $d)))
    (local.set $i (i32.const 0))
    (block $thetaDone
      (loop $thetaLoop
        (br_if $thetaDone (i32.ge_u (local.get $i) (local.get $d)))
        (local.set $ui (f64.load (i32.add (local.get $u) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $at (i32.add (local.get $theta) (i32.shl (local.get $i) (i32.const 3))))
        (f64.store (local.get $at)
          (f64.add (f64.load (local.get $at))
            (f64.sub (f64.mul (local.get $wr) (local.get $ui))
              (f64.mul (f64.mul (local.get $f) (local.get $ui)) (local.get $ub)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $thetaLoop)))
    (call $addOuter (local.get $inverse) (local.get $u) (f64.neg (local.get $f)) (local.get $d)))

  ;; out = M·x for a row-major d×d M, each row by $dot, as matVec in dense.ts.
  (func $matVec (export "matVec") (param $m i32) (param $x i32) (param $out i32) (param $d i32)
    (local $i i32)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $d)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
          (call $dot
            (i32.add (local.get $m) (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 3)))
            (local.get $x)
            (local.get $d)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; M += f·u·u' for a symmetric row-major d×d M, each product (f·u_i)·u_j computed once (two at a time)
  ;; and added in both triangles, as addOuter in dense.ts; with −f, subtractOuter to the bit (negation is
  ;; exact and m + (−v) is m − v).
  (func $addOuter (export "addOuter") (param $m i32) (param $u i32) (param $f f64) (param $d i32)
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

  ;; a·b over n numbers at byte addresses $a and $b: partial sums s0..s3 over j ≡ 0..3 mod 4 (two f64x2
  ;; lane pairs), the tail added to s0, then (s0 + s2) + (s1 + s3), as dotAt in dense.ts.
  (func $dot (param $a i32) (param $b i32) (param $n i32) (result f64)
    (local $j i32) (local $s01 v128) (local $s23 v128) (local $s0 f64) (local $at i32)
    (block $quadsDone
      (loop $quads
        (br_if $quadsDone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (local.set $at (i32.shl (local.get $j) (i32.const 3)))
        (local.set $s01
          (f64x2.add (local.get $s01)
            (f64x2.mul
              (v128.load (i32.add (local.get $a) (local.get $at)))
              (v128.load (i32.add (local.get $b) (local.get $at))))))
        (local.set $s23
          (f64x2.add (local.get $s23)
            (f64x2.mul
              (v128.load offset=16 (i32.add (local.get $a) (local.get $at)))
              (v128.load offset=16 (i32.add (local.get $b) (local.get $at))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $quads)))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $s01)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $at (i32.shl (local.get $j) (i32.const 3)))
        (local.set $s0
          (f64.add (local.get $s0)
            (f64.mul
              (f64.load (i32.add (local.get $a) (local.get $at)))
              (f64.load (i32.add (local.get $b) (local.get $at))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $tail)))
    (f64.add
      (f64.add (local.get $s0) (f64x2.extract_lane 0 (local.get $s23)))
      (f64.add (f64x2.extract_lane 1 (local.get $s01)) (f64x2.extract_lane 1 (local.get $s23)))))

  ;; Zeroes n numbers from byte address $at.
  (func $zero (param $at i32) (param $n i32)
    (local $j i32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (f64.store (i32.add (local.get $at) (i32.shl (local.get $j) (i32.const 3))) (f64.const 0))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $each))))

  ;; The Cholesky factor L (lower, row-major) of a d×d SPD A at $a into $out, as cholesky in dense.ts:
  ;; L_ij = (A_ij − rows i and j of L dotted over k < j) / L_jj, L_ii = √(…). 0 when A is not positive
  ;; definite.
  (func $cholesky (export "cholesky") (param $a i32) (param $out i32) (param $d i32) (result i32)
    (local $i i32) (local $j i32) (local $s f64) (local $rowI i32) (local $rowJ i32)
    (call $zero (local.get $out) (i32.mul (local.get $d) (local.get $d)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $d)))
        (local.set $rowI (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 3)))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.gt_u (local.get $j) (local.get $i)))
            (local.set $rowJ (i32.shl (i32.mul (local.get $j) (local.get $d)) (i32.const 3)))
            (local.set $s
              (f64.sub
                (f64.load (i32.add (i32.add (local.get $a) (local.get $rowI)) (i32.shl (local.get $j) (i32.const 3))))
                (call $dot
                  (i32.add (local.get $out) (local.get $rowI))
                  (i32.add (local.get $out) (local.get $rowJ))
                  (local.get $j))))
            (if (i32.eq (local.get $i) (local.get $j))
              (then
                (if (i32.eqz (f64.gt (local.get $s) (f64.const 0))) (then (return (i32.const 0))))
                (f64.store
                  (i32.add (i32.add (local.get $out) (local.get $rowI)) (i32.shl (local.get $i) (i32.const 3)))
                  (f64.sqrt (local.get $s))))
              (else
                (f64.store
                  (i32.add (i32.add (local.get $out) (local.get $rowI)) (i32.shl (local.get $j) (i32.const 3)))
                  (f64.div (local.get $s)
                    (f64.load
                      (i32.add (i32.add (local.get $out) (local.get $rowJ)) (i32.shl (local.get $j) (i32.const 3))))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (i32.const 1))

  ;; Column i of L⁻¹ into the vector at byte address $into (entries i to d − 1), as inverseColumn in
  ;; dense.ts: y_i = 1/L_ii, y_k = (−(row k of L from i)·y from i) / L_kk.
  (func $inverseColumn (param $l i32) (param $d i32) (param $i i32) (param $into i32)
    (local $k i32) (local $row i32)
    (f64.store (i32.add (local.get $into) (i32.shl (local.get $i) (i32.const 3)))
      (f64.div (f64.const 1)
        (f64.load
          (i32.add (local.get $l)
            (i32.shl (i32.add (i32.mul (local.get $i) (local.get $d)) (local.get $i)) (i32.const 3))))))
    (local.set $k (i32.add (local.get $i) (i32.const 1)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $k) (local.get $d)))
        (local.set $row (i32.mul (local.get $k) (local.get $d)))
        (f64.store (i32.add (local.get $into) (i32.shl (local.get $k) (i32.const 3)))
          (f64.div
            (f64.neg
              (call $dot
                (i32.add (local.get $l) (i32.shl (i32.add (local.get $row) (local.get $i)) (i32.const 3)))
                (i32.add (local.get $into) (i32.shl (local.get $i) (i32.const 3)))
                (i32.sub (local.get $k) (local.get $i))))
            (f64.load
              (i32.add (local.get $l) (i32.shl (i32.add (local.get $row) (local.get $k)) (i32.const 3))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $each))))

  ;; diag((L·Lᵀ)⁻¹) into the vector at $out, with a d-vector of scratch at $scratch, as inverseDiagonal in
  ;; dense.ts.
  (func (export "inverseDiagonal") (param $l i32) (param $d i32) (param $out i32) (param $scratch i32)
    (local $i i32) (local $at i32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $d)))
        (call $inverseColumn (local.get $l) (local.get $d) (local.get $i) (local.get $scratch))
        (local.set $at (i32.add (local.get $scratch) (i32.shl (local.get $i) (i32.const 3))))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
          (call $dot (local.get $at) (local.get $at) (i32.sub (local.get $d) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each))))

  ;; A⁻¹ of a d×d SPD A at $a into $out, with a d-vector of scratch at $scratch, as invertSpd in dense.ts:
  ;; L into $out, L⁻¹ in place row by row, moved to the upper triangle, then U·Uᵀ in place and mirrored.
  ;; 0 when A is not positive definite.
  (func (export "invertSpd") (param $a i32) (param $d i32) (param $out i32) (param $scratch i32) (result i32)
    (local $i i32) (local $j i32) (local $k i32) (local $rowI i32) (local $at i32) (local $row i32)
    (local $above i32) (local $c f64) (local $cs v128) (local $diagonal f64) (local $lower i32)
    (if (i32.eqz (call $cholesky (local.get $a) (local.get $out) (local.get $d)))
      (then (return (i32.const 0))))
    ;; L⁻¹ in place: row i = −(Σ_{k<i} L_ik·(row k of L⁻¹)) / L_ii, the diagonal 1/L_ii.
    (block $invDone
      (loop $inv
        (br_if $invDone (i32.ge_u (local.get $i) (local.get $d)))
        (local.set $row (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 3))))
        (local.set $k (i32.const 0))
        (block $asideDone
          (loop $aside
            (br_if $asideDone (i32.ge_u (local.get $k) (local.get $i)))
            (local.set $at (i32.add (local.get $row) (i32.shl (local.get $k) (i32.const 3))))
            (f64.store (i32.add (local.get $scratch) (i32.shl (local.get $k) (i32.const 3))) (f64.load (local.get $at)))
            (f64.store (local.get $at) (f64.const 0))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $aside)))
        (local.set $k (i32.const 0))
        (block $kDone
          (loop $kLoop
            (br_if $kDone (i32.ge_u (local.get $k) (local.get $i)))
            (local.set $c (f64.load (i32.add (local.get $scratch) (i32.shl (local.get $k) (i32.const 3)))))
            (local.set $cs (f64x2.splat (local.get $c)))
            (local.set $above
              (i32.add (local.get $out) (i32.shl (i32.mul (local.get $k) (local.get $d)) (i32.const 3))))
            (local.set $j (i32.const 0))
            ;; j runs over 0..k inclusive: pairs while j + 2 ≤ k + 1.
            (block $pairsDone
              (loop $pairs
                (br_if $pairsDone (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (i32.add (local.get $k) (i32.const 1))))
                (local.set $at (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
                (v128.store (local.get $at)
                  (f64x2.add (v128.load (local.get $at))
                    (f64x2.mul (local.get $cs)
                      (v128.load (i32.add (local.get $above) (i32.shl (local.get $j) (i32.const 3)))))))
                (local.set $j (i32.add (local.get $j) (i32.const 2)))
                (br $pairs)))
            (if (i32.le_u (local.get $j) (local.get $k))
              (then
                (local.set $at (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
                (f64.store (local.get $at)
                  (f64.add (f64.load (local.get $at))
                    (f64.mul (local.get $c)
                      (f64.load (i32.add (local.get $above) (i32.shl (local.get $j) (i32.const 3)))))))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $kLoop)))
        (local.set $diagonal (f64.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $j (i32.const 0))
        (block $scaleDone
          (loop $scale
            (br_if $scaleDone (i32.ge_u (local.get $j) (local.get $i)))
            (local.set $at (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
            (f64.store (local.get $at) (f64.div (f64.neg (f64.load (local.get $at))) (local.get $diagonal)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $scale)))
        (f64.store (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 3)))
          (f64.div (f64.const 1) (local.get $diagonal)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $inv)))
    ;; U = (L⁻¹)ᵀ: each entry below the diagonal moves above it, leaving 0.
    (local.set $i (i32.const 0))
    (block $moveDone
      (loop $move
        (br_if $moveDone (i32.ge_u (local.get $i) (local.get $d)))
        (local.set $j (i32.const 0))
        (block $moveRowDone
          (loop $moveRow
            (br_if $moveRowDone (i32.ge_u (local.get $j) (local.get $i)))
            (local.set $lower
              (i32.add (local.get $out)
                (i32.shl (i32.add (i32.mul (local.get $i) (local.get $d)) (local.get $j)) (i32.const 3))))
            (f64.store
              (i32.add (local.get $out)
                (i32.shl (i32.add (i32.mul (local.get $j) (local.get $d)) (local.get $i)) (i32.const 3)))
              (f64.load (local.get $lower)))
            (f64.store (local.get $lower) (f64.const 0))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $moveRow)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $move)))
    ;; A⁻¹_ij = (row i of U from j)·(row j of U from j), j ≥ i, in place.
    (local.set $i (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $d)))
        (local.set $rowI (i32.mul (local.get $i) (local.get $d)))
        (local.set $j (local.get $i))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $j) (local.get $d)))
            (local.set $at (i32.add (local.get $out) (i32.shl (i32.add (local.get $rowI) (local.get $j)) (i32.const 3))))
            (f64.store (local.get $at)
              (call $dot
                (local.get $at)
                (i32.add (local.get $out)
                  (i32.shl (i32.add (i32.mul (local.get $j) (local.get $d)) (local.get $j)) (i32.const 3)))
                (i32.sub (local.get $d) (local.get $j))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    ;; Mirror the upper triangle.
    (local.set $i (i32.const 0))
    (block $mirrorDone
      (loop $mirror
        (br_if $mirrorDone (i32.ge_u (local.get $i) (local.get $d)))
        (local.set $j (i32.add (local.get $i) (i32.const 1)))
        (block $innerDone
          (loop $inner
            (br_if $innerDone (i32.ge_u (local.get $j) (local.get $d)))
            (f64.store
              (i32.add (local.get $out)
                (i32.shl (i32.add (i32.mul (local.get $j) (local.get $d)) (local.get $i)) (i32.const 3)))
              (f64.load
                (i32.add (local.get $out)
                  (i32.shl (i32.add (i32.mul (local.get $i) (local.get $d)) (local.get $j)) (i32.const 3)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $inner)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $mirror)))
    (i32.const 1))

  ;; v = P·φ for the sparse φ that holds x (d numbers at $x) in each of $count unit slots (i32 slot indices
  ;; at $slots): v_i = Σ_b (row i of P at slot b)·x, each dot as $dot, summed over b in order; as the
  ;; exact shared model's jointRankOne. P is D×D at $m, v at $out.
  (func (export "sparseMatVec")
    (param $m i32) (param $bigD i32) (param $slots i32) (param $count i32) (param $x i32) (param $d i32)
    (param $out i32)
    (local $i i32) (local $b i32) (local $s f64) (local $row i32)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $bigD)))
        (local.set $row (i32.mul (local.get $i) (local.get $bigD)))
        (local.set $s (f64.const 0))
        (local.set $b (i32.const 0))
        (block $slotsDone
          (loop $each
            (br_if $slotsDone (i32.ge_u (local.get $b) (local.get $count)))
            (local.set $s
              (f64.add (local.get $s)
                (call $dot
                  (i32.add (local.get $m)
                    (i32.shl
                      (i32.add (local.get $row)
                        (i32.mul
                          (i32.load (i32.add (local.get $slots) (i32.shl (local.get $b) (i32.const 2))))
                          (local.get $d)))
                      (i32.const 3)))
                  (local.get $x)
                  (local.get $d))))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $each)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) (local.get $s))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; M −= f·u·u' row by row over the whole d×d M (each product (f·u_i)·u_j, rows with f·u_i = 0 skipped),
  ;; as subtractOuterRows in dense.ts.
  (func (export "subtractOuterRows") (param $m i32) (param $u i32) (param $f f64) (param $d i32)
    (local $i i32) (local $j i32) (local $row i32) (local $ui f64) (local $uis v128) (local $at i32)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $d)))
        (local.set $ui
          (f64.mul (local.get $f) (f64.load (i32.add (local.get $u) (i32.shl (local.get $i) (i32.const 3))))))
        (if (f64.ne (local.get $ui) (f64.const 0))
          (then
            (local.set $row
              (i32.add (local.get $m) (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 3))))
            (local.set $uis (f64x2.splat (local.get $ui)))
            (local.set $j (i32.const 0))
            (block $pairsDone
              (loop $pairs
                (br_if $pairsDone (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $d)))
                (local.set $at (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
                (v128.store (local.get $at)
                  (f64x2.sub (v128.load (local.get $at))
                    (f64x2.mul (local.get $uis)
                      (v128.load (i32.add (local.get $u) (i32.shl (local.get $j) (i32.const 3)))))))
                (local.set $j (i32.add (local.get $j) (i32.const 2)))
                (br $pairs)))
            (if (i32.lt_u (local.get $j) (local.get $d))
              (then
                (local.set $at (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
                (f64.store (local.get $at)
                  (f64.sub (f64.load (local.get $at))
                    (f64.mul (local.get $ui)
                      (f64.load (i32.add (local.get $u) (i32.shl (local.get $j) (i32.const 3)))))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))
)
