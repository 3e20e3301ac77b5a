# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# vipc overhead against table size, from sweep.csv (written by vipc-bench).
# gnuplot -e "in='bench/results/sweep.csv'; out='bench/results/overhead.png'" bench/plot.gp
set terminal pngcairo size 800,480 font ",10"
set output out
set datafile separator ","
set key autotitle columnhead top left
set logscale x 10
set xlabel "grants in the table (endpoints: a tenth)"
set ylabel "extra time per operation vs no vipc (%)"
set y2label "vipc hook run time (ns per call)"
set ytics nomirror
set y2tics
set grid
set title "vipc socket backend: overhead against table size"
plot in using 1:4 with linespoints lw 2 title "connect+accept (pathname)", \
     in using 1:6 with linespoints lw 2 title "sendto datagram (pathname)", \
     in using 1:7 axes x1y2 with linespoints lw 2 dt 2 title "connect hook ns/call (right)", \
     in using 1:8 axes x1y2 with linespoints lw 2 dt 3 title "sendto hook ns/call (right)"
