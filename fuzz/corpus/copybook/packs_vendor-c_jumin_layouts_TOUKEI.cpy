000100*----------------------------------------------------------------*
000200* VENDOR C  TOUKEI (JUMIN TOUKEIHYOU)  (JEF, RECFM FB, LRECL 80)
000300* SHUKEI-KBN: 01 CHOAZA RESIDENTS, 02 CHOAZA HOUSEHOLDS,
000400*             03 REMOVED RESIDENTS, 99 MUNICIPALITY TOTAL.
000500*----------------------------------------------------------------*
000600 01  JC-TOUKEI.
000700     05  JC-SHUKEI-KBN        PIC X(2).
000800     05  JC-CHOAZA-CD         PIC X(7).
000900     05  JC-CHOAZA-MEI        PIC X(42).
001000     05  JC-OTOKO             PIC 9(7).
001100     05  JC-ONNA              PIC 9(7).
001200     05  JC-KEI               PIC 9(8).
001300     05  FILLER               PIC X(7).
