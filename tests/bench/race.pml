/*
 * race.pml: the race lesson's unsafe variant as a Promela model, for the
 * explorer's benchmark against Spin (tests/bench/explore.sh).  Two
 * tellers, N iterations each, the load and the store of the balance two
 * steps, as in the lesson's step mode.  Spin searches every state it can
 * reach, which is what the explorer's exact set of outcomes needs.
 */
int balance = 100;

proctype teller(int amount)
{
	int i = 0;
	int tmp;
	do
	:: i < N -> tmp = balance; balance = tmp + amount; i++
	:: else -> break
	od
}

init
{
	atomic { run teller(1); run teller(-1) }
}
