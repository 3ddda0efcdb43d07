000100*----------------------------------------------------------------*
000200* VENDOR C  SETAI FILE  (FUJITSU HOST, JEF, RECFM VB, BLKSIZE 8192)
000300*----------------------------------------------------------------*
000400 01  JC-SETAI.
000500     05  JC-SETAI-NO          PIC X(10).
000600     05  JC-SETAINUSHI-NO     PIC X(10).
000700     05  JC-SETAIIN-SU        PIC 9(3).
000800     05  JC-CHOAZA-CD         PIC 9(7).
