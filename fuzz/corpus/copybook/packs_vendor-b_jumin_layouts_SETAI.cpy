000100*----------------------------------------------------------------*
000200* VENDOR B  SETAI FILE  (IBM HOST, CCSID 930, RECFM FB, LRECL 80)
000300* HEADER 'H', ONE DETAIL 'D' PER HOUSEHOLD, TRAILER 'T' WITH THE
000400* RECORD COUNT AND THE HASH TOTAL OF THE MEMBER COUNTS.
000500*----------------------------------------------------------------*
000600 01  JS-HEADER.
000700     05  JS-REC-TYPE          PIC X      VALUE 'H'.
000800     05  JS-LG-CODE           PIC X(6).
000900     05  JS-SAKUSEI-BI        PIC 9(8).
001000     05  JS-SYSTEM-ID         PIC X(8).
001100     05  FILLER               PIC X(57).
001200 01  JS-DETAIL.
001300     05  JS-REC-TYPE          PIC X.
001400         88  JS-IS-DETAIL                VALUE 'D'.
001500     05  JS-SETAI-NO          PIC S9(11) COMP-3.
001600     05  JS-SETAINUSHI-NO     PIC S9(11) COMP-3.
001700     05  JS-SETAIIN-SU        PIC 9(3).
001800     05  JS-CHOAZA-CD         PIC 9(7).
001900     05  FILLER               PIC X(57).
002000 01  JS-TRAILER.
002100     05  JS-REC-TYPE          PIC X      VALUE 'T'.
002200     05  JS-REC-COUNT         PIC 9(9).
002300     05  JS-HASH-SETAIIN      PIC S9(11) COMP-3.
002400     05  FILLER               PIC X(64).
